// The cedar-wasm half of the Cedar comparison (bench/run_cedar_bench.sh runs
// both and prints the table). Reads the workloads of cedar_workloads.py and
// measures @cedar-policy/cedar-wasm 4.13.0's statefulIsAuthorized after
// preparsePolicySet, on the same requests as bench/cedar_bench.cc.
//
//   node bench/cedar_wasm_bench.mjs DIR [--seconds S] > wasm.json
//
// cedar-wasm cannot keep entities resident: statefulIsAuthorized caches only
// policy sets and schemas, and takes the entities with every call (converted
// from JS values and their hierarchy closed each time). So:
//  - resident: its cheapest form. Each call passes only the request's slice
//    (principal, action, resource and their ancestors), already built as JS
//    objects, as is its context; nothing is parsed from text in the loop.
//  - full_store: for comparison, a few calls passing the whole entity store,
//    which is what "entities resident" would cost a caller that does not
//    slice.
//  - no_entities: 300 calls with `entities: []`, the fixed cost of a call.
//  - json: each request arrives as JSON text (request line and entity slice),
//    parsed with JSON.parse and passed on: the normal call with JSON.
// Each call is timed alone with process.hrtime.bigint(); requests/s come
// from the process's CPU time (cpu_ns), as on the Haven side. Decisions,
// reasons and errors go to DIR/<w>/wasm.decisions, in cedar_bench's format.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const args = process.argv.slice(2);
const dir = args[0];
let seconds = 3;
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--seconds') seconds = Number(args[++i]);
}
if (!dir) {
  console.error('usage: node bench/cedar_wasm_bench.mjs DIR [--seconds S]');
  process.exit(2);
}

const lines = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');

function describe(r) {
  if (r.type !== 'success') throw new Error('cedar-wasm: ' + JSON.stringify(r.errors));
  const d = r.response.diagnostics;
  return r.response.decision + '\t' + [...d.reason].sort().join(',') + '\t' +
         d.errors.map((e) => e.policyId).sort().join(',');
}

function percentiles(ns) {
  const a = Float64Array.from(ns).sort();
  const at = (q) => a[Math.floor(q * (a.length - 1))];
  return { p50_ns: at(0.5), p99_ns: at(0.99), samples: a.length };
}

// Runs `call(i)` over all n requests, pass after pass, for at least `secs`
// seconds (and at least one pass) after one warm-up pass; times each call.
function measure(n, secs, call, maxCalls = Infinity) {
  for (let i = 0; i < Math.min(n, maxCalls, 300); i++) call(i);  // warm-up
  const ns = [];
  let allow = 0, calls = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(secs * 1e9));
  // Passes over the requests in order, stopping at the deadline once at
  // least min(n, 1000) calls are in (the requests are in random order, so a
  // prefix is a fair sample) or at maxCalls.
  const minCalls = Math.min(n, 1000, maxCalls);
  for (let i = 0; calls < maxCalls; i = (i + 1) % n) {
    const t0 = process.hrtime.bigint();
    const r = call(i);
    const t1 = process.hrtime.bigint();
    ns.push(Number(t1 - t0));
    if (r.response.decision === 'allow') allow++;
    calls++;
    if (calls >= minCalls && t1 >= deadline) break;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuNs = (cpu.user + cpu.system) * 1e3 / calls;
  // rps_wall counts other load on the machine against cedar-wasm; cpu_ns is
  // the process's CPU time per call (V8's helper threads included).
  return { ...percentiles(ns), cpu_ns: cpuNs, rps_wall: calls / wall, calls,
           allow_frac: allow / calls };
}

const out = { cedar_version: cedar.getCedarVersion(), workloads: {} };
for (const name of ['welcoming-city', 'large']) {
  const base = join(dir, name);
  const policies = readFileSync(join(base, 'policies.cedar'), 'utf8');
  const id = 'bench-' + name;
  const pre = cedar.preparsePolicySet(id, { staticPolicies: policies });
  if (pre.type !== 'success') throw new Error(JSON.stringify(pre.errors));
  const reqText = lines(join(base, 'requests.jsonl'));
  const sliceText = lines(join(base, 'slices.jsonl'));
  const n = reqText.length;

  // Pre-built calls: the cheapest form cedar-wasm offers.
  const calls = reqText.map((t, i) => {
    const q = JSON.parse(t);
    return { principal: q.principal, action: q.action, resource: q.resource,
             context: q.context, preparsedPolicySetId: id,
             entities: JSON.parse(sliceText[i]) };
  });

  // Decisions, for the agreement check.
  const decisions = [];
  let allow = 0;
  for (const c of calls) {
    const r = cedar.statefulIsAuthorized(c);
    const d = describe(r);
    if (r.response.decision === 'allow') allow++;
    decisions.push(d);
  }
  writeFileSync(join(base, 'wasm.decisions'), decisions.join('\n') + '\n');

  const resident = measure(n, seconds, (i) => cedar.statefulIsAuthorized(calls[i]));
  const json = measure(n, seconds, (i) => {
    const q = JSON.parse(reqText[i]);
    return cedar.statefulIsAuthorized({
      principal: q.principal, action: q.action, resource: q.resource,
      context: q.context ?? {}, preparsedPolicySetId: id,
      entities: JSON.parse(sliceText[i]),
    });
  });
  // The whole store passed each call, as the API's only "resident" form.
  const all = JSON.parse(readFileSync(join(base, 'entities.json'), 'utf8'));
  const full = [];
  let fullAgree = 0;
  for (let i = 0; i < 4; i++) {  // the first call warms up
    const t0 = process.hrtime.bigint();
    const r = cedar.statefulIsAuthorized({ ...calls[i], entities: all });
    const t1 = process.hrtime.bigint();
    if (i === 0) continue;
    full.push(Number(t1 - t0));
    if (describe(r) === decisions[i]) fullAgree++;
  }
  const fullStore = { ...percentiles(full), agree: `${fullAgree}/${full.length}` };
  // The floor: the same calls with no entities at all (answers may differ;
  // only the cost matters), to show where cedar-wasm's time goes.
  const floor = measure(n, 0, (i) => cedar.statefulIsAuthorized(
      { ...calls[i], entities: [] }), 300);
  out.workloads[name] = {
    requests: n, allow, deny: n - allow, entities: all.length,
    resident, json, full_store: fullStore, no_entities: floor,
  };
  console.error(`cedar-wasm: ${name}: ${n} requests (${allow} allow, ` +
                `${n - allow} deny); resident p50 ${resident.p50_ns} ns, ` +
                `json p50 ${json.p50_ns} ns, full store p50 ${fullStore.p50_ns} ns`);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
