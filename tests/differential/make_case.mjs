#!/usr/bin/env node
// Writes expected.jsonl for a hand-made regression case from cedar-wasm:
//
//   node tests/differential/make_case.mjs tests/differential/regressions/<name>
//
// The directory holds policies.cedar (or policies.json, a JSON policy set),
// entities.json and requests.jsonl. If cedar-wasm rejects the input, it
// writes expect_reject instead (Haven must then exit with status 2).
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decideAll, entitiesError } from './reference.mjs';
import { answerLine } from './haven.mjs';

const dir = process.argv[2];
if (!dir) { console.error('usage: make_case.mjs DIR'); process.exit(2); }
const json = existsSync(join(dir, 'policies.json'));
const policiesText = readFileSync(join(dir, json ? 'policies.json' : 'policies.cedar'), 'utf8');
let reject = null;
let entities = null;
let requests = null;
let policies = policiesText;
try {
  if (json) policies = JSON.parse(policiesText).staticPolicies;
  entities = JSON.parse(readFileSync(join(dir, 'entities.json'), 'utf8'));
  requests = readFileSync(join(dir, 'requests.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
} catch (e) {
  reject = 'not JSON: ' + e.message;
}
if (!reject) reject = entitiesError(entities);
let answers = null;
if (!reject) {
  answers = decideAll(policies, entities, requests);
  const r = answers.find((a) => a.reject);
  if (r) reject = r.reject;
}
rmSync(join(dir, 'expected.jsonl'), { force: true });
rmSync(join(dir, 'expect_reject'), { force: true });
if (reject) {
  writeFileSync(join(dir, 'expect_reject'), `cedar-wasm 4.13.0 rejects this input: ${reject}\n`);
  console.log(`${dir}: rejected by cedar-wasm: ${reject}`);
} else {
  writeFileSync(join(dir, 'expected.jsonl'), answers.map((a) => answerLine(a) + '\n').join(''));
  for (const a of answers) console.log(answerLine(a), a.messages.length ? a.messages.join(' | ') : '');
}
