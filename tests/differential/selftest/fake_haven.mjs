#!/usr/bin/env node
// A stand-in for `haven cedar authorize` built on cedar-wasm itself, to test
// the differential harness end to end. FAKE_HAVEN_BUG=<substring> makes it
// drop the reasons of any policy whose text contains the substring, so that
// the harness has a mismatch to find and minimise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
const args = process.argv.slice(2);
const opt = (k) => args[args.indexOf(k) + 1];
if (args[0] !== 'cedar' || args[1] !== 'authorize') { console.error('usage'); process.exit(2); }
let text = readFileSync(opt('--policies'), 'utf8');
if (args.includes('--policies-format') && opt('--policies-format') === 'json') text = JSON.parse(text).staticPolicies;
let entities;
try { entities = JSON.parse(readFileSync(opt('--entities'), 'utf8')); } catch (e) { console.error(e.message); process.exit(2); }
const pre = cedar.preparsePolicySet('p', { staticPolicies: text });
if (pre.type !== 'success') { console.error(pre.errors[0].message); process.exit(2); }
const ent = cedar.checkParseEntities({ entities });
if (ent.type !== 'success') { console.error(ent.errors[0].message); process.exit(2); }
const bug = process.env.FAKE_HAVEN_BUG;
const buggy = new Set();
if (bug && typeof text === 'string') {
  // policySetTextToParts returns the policies sorted by id (as strings).
  const parts = cedar.policySetTextToParts(text).policies || [];
  const ids = parts.map((_, i) => 'policy' + i).sort();
  parts.forEach((p, k) => { if (p.includes(bug)) buggy.add(ids[k]); });
}
let out = '';
for (const line of readFileSync(opt('--requests'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const q = JSON.parse(line);
  const r = cedar.statefulIsAuthorized({ ...q, preparsedPolicySetId: 'p', entities });
  if (r.type !== 'success') { console.error(r.errors[0].message); process.exit(2); }
  let reasons = r.response.diagnostics.reason;
  if (bug) reasons = reasons.filter((id) => !buggy.has(id));
  out += JSON.stringify({ decision: r.response.decision, reasons, errors: r.response.diagnostics.errors.map((e) => e.policyId) }) + '\n';
}
process.stdout.write(out);
