#!/usr/bin/env node
// Differential test of Haven's Cedar engine against cedar-wasm 4.13.0.
//
//   node tests/differential/run.mjs --haven build/release/haven --seed 1 --cases 20000
//
// Options:
//   --haven PATH       Haven binary; without it only cedar-wasm runs (generator stats)
//   --seed S           seed (any string); batch k of seed S is always the same case
//   --cases N          number of requests to compare (default 10000)
//   --batch B          requests per generated policy set and entity store (default 200)
//   --first-batch K    start at batch K (to reproduce one batch: --first-batch K --cases B)
//   --jobs J           worker threads (default: number of CPUs, at most 4)
//   --out DIR          where minimised mismatches go (default tests/differential/regressions)
//   --no-save          do not save mismatches
//   --max-save M       save at most M mismatches (default 10)
//   --strict-rejects   also fail when Haven accepts an input cedar-wasm rejects
//   --slow-reference   ask cedar-wasm request by request (default: decideBatched,
//                      all of a batch in a few calls; see reference.mjs)
//   --check-batched    decide every batch both ways and report disagreements
//   --no-sweep         skip the systematic sweep (about 50,000 one-expression
//                      policies over the extension functions, `like`, escapes
//                      and 64-bit arithmetic), which runs first when --haven is given
//
// Prints `differential: N cases, M mismatches` and exits 1 on any mismatch.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// Node 20's optimising compiler crashes (V8_Fatal in the deoptimizer) after
// some thousands of batches; the time is spent in wasm anyway.
setFlagsFromString('--no-opt');

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = {
    haven: null, seed: '1', cases: 10000, batch: 200, firstBatch: 0,
    jobs: Math.max(1, Math.min(4, cpus().length)), out: join(here, 'regressions'),
    save: true, maxSave: 10, strictRejects: false, sweep: true, slow: false, check: false,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error('missing value for ' + a);
      return argv[++i];
    };
    if (a === '--haven') o.haven = resolve(v());
    else if (a === '--seed') o.seed = v();
    else if (a === '--cases') o.cases = parseInt(v(), 10);
    else if (a === '--batch') o.batch = parseInt(v(), 10);
    else if (a === '--first-batch') o.firstBatch = parseInt(v(), 10);
    else if (a === '--jobs') o.jobs = parseInt(v(), 10);
    else if (a === '--out') o.out = resolve(v());
    else if (a === '--no-save') o.save = false;
    else if (a === '--max-save') o.maxSave = parseInt(v(), 10);
    else if (a === '--strict-rejects') o.strictRejects = true;
    else if (a === '--no-sweep') o.sweep = false;
    else if (a === '--slow-reference') o.slow = true;
    else if (a === '--check-batched') o.check = true;
    else throw new Error('unknown option ' + a);
  }
  if (!(o.cases > 0 && o.batch > 0 && o.jobs > 0)) throw new Error('bad numbers');
  return o;
}

function newStats() {
  return {
    cases: 0, mismatches: 0, allow: 0, deny: 0, withErrors: 0, withReasons: 0,
    policies: 0, policyRejects: 0, entityRejects: 0, requestRejects: 0,
    rejectChecks: 0, rejectMismatches: 0, batches: 0, havenFailures: 0, jsonBatches: 0, notJson: 0, batchedDisagree: 0,
  };
}

// ---------------------------------------------------------------- worker

async function workerMain() {
  const { prepareBatch, compareBatch, minimise, saveCase, checkReject } = await import('./diff.mjs');
  const { answerLine } = await import('./haven.mjs');
  const o = workerData.opts;
  const tmp = mkdtempSync(join(tmpdir(), 'haven-diff-'));
  const stats = newStats();
  let saved = 0;
  const saveBudget = Math.ceil(o.maxSave / o.jobs);
  const report = [];
  try {
    for (const b of workerData.batches) {
      const batch = prepareBatch(o.seed, b, o.batch, stats, { slow: o.slow, check: o.check });
      stats.batches++;
      if (batch.format === 'json') stats.jsonBatches++;
      for (const a of batch.expected) {
        stats.cases++;
        stats[a.decision]++;
        if (a.errors.length) stats.withErrors++;
        if (a.reasons.length) stats.withReasons++;
      }
      if (!o.haven) continue;
      const { bad, got } = compareBatch(o.haven, join(tmp, 'batch'), batch);
      if (got.status !== 0) stats.havenFailures++;
      stats.mismatches += bad.length;
      for (const i of bad.slice(0, 3)) {
        const exp = batch.expected[i];
        const g = got.answers[i];
        const name = `s${o.seed}-b${b}-q${i}`;
        const line = { name, expected: answerLine(exp), got: g ? answerLine(g) : null, status: got.status,
          stderr: got.stderr.slice(0, 300) };
        if (o.save && saved < saveBudget) {
          saved++;
          const m = minimise(o.haven, join(tmp, 'min'), batch.policies, batch.entities, batch.requests[i], batch.format);
          let files, expected, gotText;
          if (m) {
            files = m.files; expected = [m.exp];
            gotText = `haven exit ${m.got.status}; answer ${m.got.answers[0] ? answerLine(m.got.answers[0]) : '(none)'}\n${m.got.stderr}`;
          } else {
            // Depends on the formatting (comments, escapes): keep the batch's own text.
            files = { ...batch.files, requestsText: batch.files.requestsText.split('\n')[i] + '\n' };
            expected = [exp];
            gotText = `haven exit ${got.status}; answer ${line.got}\n${got.stderr}`;
          }
          const notes = `seed ${o.seed}, batch ${b}, request ${i} (batch size ${o.batch}), policies as ${batch.format}\n` +
            (batch.format === 'json' ? `policies as text:\n${(m ? m.p : batch.policies).join('\n')}\n` : '') +
            `expected (cedar-wasm 4.13.0): ${answerLine(expected[0])}\n` +
            `cedar-wasm errors: ${JSON.stringify((m ? m.exp : exp).messages)}\n` +
            `haven: ${gotText}\n`;
          line.saved = saveCase(o.out, name, files, expected, notes);
        }
        report.push(line);
      }
      // Bonus: inputs cedar-wasm rejects must be rejected by Haven too.
      const rejectInputs = [];
      if (batch.rejected.length) {
        rejectInputs.push({ what: 'policy', err: batch.rejected[0].err, files: {
          policiesText: batch.rejected[0].text + '\n', entitiesText: '[]\n',
          requestsText: JSON.stringify({ principal: { type: 'User', id: 'a' }, action: { type: 'Action', id: 'view' },
            resource: { type: 'Doc', id: 'd' }, context: {} }) + '\n' } });
      }
      if (batch.entityReject) {
        rejectInputs.push({ what: 'entities', err: batch.entityReject.err, files: {
          policiesText: 'permit(principal, action, resource);\n', entitiesText: JSON.stringify(batch.entityReject.entities),
          requestsText: JSON.stringify({ principal: { type: 'User', id: 'a' }, action: { type: 'Action', id: 'view' },
            resource: { type: 'Doc', id: 'd' }, context: {} }) + '\n' } });
      }
      for (const r of rejectInputs) {
        stats.rejectChecks++;
        const c = checkReject(o.haven, join(tmp, 'reject'), r.files);
        if (!c.ok) {
          stats.rejectMismatches++;
          const name = `reject-s${o.seed}-b${b}-${r.what}`;
          const line = { name, reject: true, cedarError: r.err, status: c.got.status };
          if (o.save && saved < saveBudget) {
            saved++;
            line.saved = saveCase(o.out, name, r.files, null,
              `cedar-wasm 4.13.0 rejects this ${r.what} input: ${r.err}\nhaven exit ${c.got.status}\n${c.got.stderr}\n`);
          }
          report.push(line);
        }
      }
      parentPort.postMessage({ progress: stats.cases, mismatches: stats.mismatches, rejectMismatches: stats.rejectMismatches });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  parentPort.postMessage({ done: true, stats, report });
}

// ---------------------------------------------------------------- main

async function main() {
  let o;
  try {
    o = parseArgs(process.argv);
  } catch (e) {
    console.error('run.mjs: ' + e.message);
    process.exit(2);
  }
  const { version } = await import('./reference.mjs');
  const nBatches = Math.ceil(o.cases / o.batch);
  const jobs = Math.min(o.jobs, nBatches);
  const t0 = Date.now();
  const total = newStats();
  const report = [];
  const progress = new Array(jobs).fill(0);
  const progressBad = new Array(jobs).fill(0);
  // Stopped early (SIGINT/SIGTERM): report what was compared so far.
  const stopEarly = (sig) => {
    const done = progress.reduce((x, y) => x + y, 0);
    const bad = progressBad.reduce((x, y) => x + y, 0);
    console.log(`stopped by ${sig} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`differential: ${done} cases, ${bad} mismatches (partial run)`);
    process.exit(bad ? 1 : 3);
  };
  process.on('SIGINT', () => stopEarly('SIGINT'));
  process.on('SIGTERM', () => stopEarly('SIGTERM'));
  let sweep = null;
  if (o.haven && o.sweep) {
    const { runSweep } = await import('./diff.mjs');
    const tmp = mkdtempSync(join(tmpdir(), 'haven-sweep-'));
    try {
      sweep = runSweep(o.haven, tmp, { save: o.save, outDir: o.out, maxSave: o.maxSave });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const r of sweep.report) {
      console.log(`SWEEP MISMATCH ${r.name}: ${r.expr}` + (r.alone ? `: expected ${r.expected}, haven ${r.got ?? '(no answer)'} (exit ${r.status})` : ' (only in its chunk)') +
        (r.saved ? ' -> ' + r.saved : ''));
    }
    console.log(`differential sweep: ${sweep.expressions} expressions, ${sweep.mismatches} mismatches, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const { runProbes } = await import('./probes.mjs');
    const ptmp = mkdtempSync(join(tmpdir(), 'haven-probe-'));
    let probes;
    try {
      probes = runProbes(o.haven, ptmp);
    } finally {
      rmSync(ptmp, { recursive: true, force: true });
    }
    for (const r of probes.report) console.log(`${r.known ? 'KNOWN DIVERGENCE' : 'PROBE MISMATCH'} ${r.label}: ${r.text}`);
    console.log(`differential probes: ${probes.count} hand-written inputs, ${probes.mismatches} mismatches, ${probes.known} known divergences`);
    sweep.mismatches += probes.mismatches;
  }
  let lastPrint = Date.now();
  console.error(`differential: cedar-wasm ${version()}, seed ${o.seed}, ${nBatches} batches of ${o.batch}, ` +
    `${jobs} jobs, haven ${o.haven || '(none: reference only)'}`);
  await Promise.all(Array.from({ length: jobs }, (_, w) => new Promise((res, rej) => {
    const batches = [];
    for (let b = w; b < nBatches; b += jobs) batches.push(o.firstBatch + b);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { opts: o, batches } });
    worker.on('message', (m) => {
      if (m.progress !== undefined) {
        progress[w] = m.progress;
        progressBad[w] = m.mismatches;
        if (Date.now() - lastPrint > 10000) {
          lastPrint = Date.now();
          const done = progress.reduce((x, y) => x + y, 0);
          const bad = progressBad.reduce((x, y) => x + y, 0);
          console.error(`  ${done} cases, ${bad} mismatches, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        }
      }
      if (m.done) {
        for (const k of Object.keys(total)) total[k] += m.stats[k];
        report.push(...m.report);
      }
    });
    worker.on('error', rej);
    worker.on('exit', (code) => (code === 0 ? res() : rej(new Error('worker exited ' + code))));
  })));
  const secs = (Date.now() - t0) / 1000;
  for (const r of report) {
    if (r.reject) console.log(`REJECT MISMATCH ${r.name}: cedar-wasm rejects (${r.cedarError.slice(0, 160)}), haven exit ${r.status}${r.saved ? ' -> ' + r.saved : ''}`);
    else console.log(`MISMATCH ${r.name}: expected ${r.expected}, haven ${r.got ?? '(no answer)'} (exit ${r.status})${r.saved ? ' -> ' + r.saved : ''}` +
      (r.status !== 0 ? '\n  stderr: ' + r.stderr.replace(/\n/g, ' ').slice(0, 200) : ''));
  }
  const s = total;
  console.log(`  ${s.allow} allow, ${s.deny} deny, ${s.withReasons} with reasons, ${s.withErrors} with errors; ` +
    `${s.policies} policies generated, ${s.policyRejects} rejected by cedar-wasm; ${s.entityRejects} entity stores and ` +
    `${s.requestRejects} requests rejected; reject checks ${s.rejectChecks - s.rejectMismatches}/${s.rejectChecks} agree; ` +
    `${s.havenFailures} haven runs failed; ${s.jsonBatches}/${s.batches} batches with JSON policies; ${secs.toFixed(1)} s`);
  if (o.check) console.log(`  reference self-check: batched and per-request cedar-wasm disagree on ${s.batchedDisagree} requests`);
  console.log(`differential: ${s.cases} cases, ${s.mismatches} mismatches`);
  const fail = s.mismatches > 0 || s.batchedDisagree > 0 || (sweep && sweep.mismatches > 0) || (o.strictRejects && s.rejectMismatches > 0);
  process.exit(fail ? 1 : 0);
}

if (isMainThread) {
  main().catch((e) => { console.error(e); process.exit(2); });
} else {
  workerMain().catch((e) => { console.error(e); process.exit(3); });
}
