#!/usr/bin/env node
// Runs Haven on every saved differential regression case and compares its
// answers with expected.jsonl (written by cedar-wasm 4.13.0 when the case
// was found). A case with an `expect_reject` file instead must make Haven
// exit with status 2.
//
//   node tests/differential/regressions.mjs --haven build/release/haven [--dir DIR] [--verify]
//
// --verify also re-decides each case with cedar-wasm, to catch stale files.
import { readdirSync, readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { runHaven, normalise, sameAnswer, answerLine } from './haven.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let haven = null;
let dir = join(here, 'regressions');
let verify = false;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--haven') haven = resolve(process.argv[++i]);
  else if (a === '--dir') dir = resolve(process.argv[++i]);
  else if (a === '--verify') verify = true;
  else { console.error('regressions.mjs: unknown option ' + a); process.exit(2); }
}
if (!haven) { console.error('regressions.mjs: --haven PATH is required'); process.exit(2); }

const names = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
let failing = 0;
let requests = 0;
const t0 = Date.now();
let reference = null;
if (verify) reference = await import('./reference.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'haven-regr-'));

for (const name of names) {
  const caseDir = join(dir, name);
  const got = runHaven(haven, caseDir);
  if (existsSync(join(caseDir, 'expect_reject'))) {
    requests++;
    if (got.status !== 2) {
      failing++;
      console.log(`FAIL ${name}: cedar-wasm rejects this input, haven exit ${got.status}`);
    }
    continue;
  }
  const expected = readFileSync(join(caseDir, 'expected.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
    .map((l) => normalise(JSON.parse(l)));
  requests += expected.length;
  if (verify) {
    const reqs = readFileSync(join(caseDir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    const policies = existsSync(join(caseDir, 'policies.json'))
      ? JSON.parse(readFileSync(join(caseDir, 'policies.json'), 'utf8')).staticPolicies
      : readFileSync(join(caseDir, 'policies.cedar'), 'utf8');
    const ref = reference.decideAll(policies,
      JSON.parse(readFileSync(join(caseDir, 'entities.json'), 'utf8')), reqs);
    ref.forEach((r, i) => {
      if (r.reject || !sameAnswer(r, expected[i])) console.log(`STALE ${name}: request ${i}: cedar-wasm now says ${r.reject ? 'reject: ' + r.reject : answerLine(r)}`);
    });
  }
  const bad = [];
  expected.forEach((e, i) => {
    const g = got.answers[i];
    if (got.status !== 0 || !g || !sameAnswer(e, g)) bad.push(`request ${i}: expected ${answerLine(e)}, haven ${g ? answerLine(g) : '(no answer)'}`);
  });
  if (bad.length) {
    failing++;
    console.log(`FAIL ${name} (haven exit ${got.status}): ${bad.join('; ')}` +
      (got.status !== 0 ? '\n  stderr: ' + got.stderr.replace(/\n/g, ' ').slice(0, 300) : ''));
  }
}
rmSync(tmp, { recursive: true, force: true });
console.log(`differential regressions: ${names.length} cases (${requests} requests), ${failing} failing, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failing ? 1 : 0);
