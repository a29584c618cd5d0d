// Differential core: build a batch, decide it with cedar-wasm and with
// Haven, find the requests where they differ, shrink each to a minimal case
// and save it as a regression.
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { genBatch, policySetText, oddJson, genPolicy, makeRng, sweepExpressions } from './gen.mjs';
import { policyError, entitiesError, decideAll, decideBatched, policyJson } from './reference.mjs';
import { writeCase, runHaven, sameAnswer, answerLine } from './haven.mjs';

export function requestLine(q) {
  return { principal: q.principal, action: q.action, resource: q.resource, context: q.context };
}

// Text files for a case. With rng, policies get comments and JSON gets odd
// escapes; without, the plain canonical form (used when minimising).
// format 'json' writes the policies as a JSON policy set
// ({"staticPolicies": {"policy0": ..., ...}}) instead of text.
export function caseFiles(rng, policies, entities, requests, format = 'cedar') {
  return {
    format,
    policiesText: format === 'json' ? policySetJsonText(rng, policies) : policySetText(rng, policies),
    entitiesText: rng ? oddJson(rng, entities) : JSON.stringify(entities, null, 1),
    requestsText: requests.map((q) => (rng ? oddJson(rng, requestLine(q)) : JSON.stringify(requestLine(q))) + '\n').join(''),
  };
}

// The policy set that cedar-wasm decides with: the text, or the JSON map.
function referenceSet(files) {
  return files.format === 'json' ? JSON.parse(files.policiesText).staticPolicies : files.policiesText;
}

function policySetJsonText(rng, policies) {
  let entries = policies.map((p, i) => ['policy' + i, policyJson(p)]);
  if (rng) entries = rng.shuffle(entries);  // ids come from the keys, not the order
  const set = { staticPolicies: Object.fromEntries(entries) };
  if (rng && rng.chance(0.5)) { set.templates = {}; set.templateLinks = []; }
  return rng ? oddJson(rng, set) : JSON.stringify(set, null, 1);
}

// Generates batch `b` of the run with `seed` and decides it with cedar-wasm.
// Policies cedar-wasm rejects are set aside (stats.policyRejects), as are
// requests it rejects.
// opts.slow: decide request by request (decideAll) instead of decideBatched;
// opts.check: do both and count disagreements in stats.batchedDisagree.
export function prepareBatch(seed, b, nRequests, stats, opts = {}) {
  const { rng, policies, entities: ents0, brokenEntities, requests: reqs0 } = genBatch(String(seed), b, nRequests);
  // A quarter of the batches give Haven the policies in the JSON format
  // (as cedar-wasm's policyToJson writes them).
  const format = makeRng(seed + ':' + b + ':format').chance(0.25) ? 'json' : 'cedar';
  const valid = [];
  const rejected = [];
  for (const p of policies) {
    const err = policyError(p);
    if (err) rejected.push({ text: p, err });
    else if (format === 'json' && !policyJson(p)) stats.notJson++;
    else valid.push(p);
  }
  stats.policies += policies.length;
  stats.policyRejects += rejected.length;
  let entities = ents0;
  let entityReject = null;
  const eerr = entitiesError(entities);
  if (eerr) {
    // Not expected: the generator means these to be valid.
    stats.entityRejects++;
    entityReject = { entities, err: eerr };
    entities = entities.map((e) => ({ uid: e.uid, attrs: {}, parents: e.parents }));
  } else if (brokenEntities) {
    const berr = entitiesError(brokenEntities);
    if (berr) entityReject = { entities: brokenEntities, err: berr };
  }
  const files = caseFiles(rng, valid, entities, [], format);
  const answers = opts.slow ? decideAll(referenceSet(files), entities, reqs0) : decideBatched(valid, entities, reqs0);
  if (opts.check) {
    const other = opts.slow ? decideBatched(valid, entities, reqs0) : decideAll(referenceSet(files), entities, reqs0);
    other.forEach((a, i) => {
      const x = answers[i];
      if (!!a.reject !== !!x.reject || (!a.reject && !sameAnswer(a, x))) {
        stats.batchedDisagree++;
        if (stats.batchedDisagree <= 3) console.error(`batched/slow disagree: seed ${seed} batch ${b} request ${i}: ${JSON.stringify(x)} vs ${JSON.stringify(a)}`);
      }
    });
  }
  const requests = [];
  const expected = [];
  answers.forEach((a, i) => {
    if (a.reject) { stats.requestRejects++; return; }
    requests.push(reqs0[i]);
    expected.push(a);
  });
  files.requestsText = requests.map((q) => oddJson(rng, requestLine(q)) + '\n').join('');
  return { seed, b, format, policies: valid, rejected, entityReject, entities, requests, expected, files };
}

// Runs Haven on a prepared batch; returns the indices that differ and Haven's answers.
export function compareBatch(haven, dir, batch) {
  writeCase(dir, batch.files);
  const got = runHaven(haven, dir);
  const bad = [];
  batch.expected.forEach((exp, i) => {
    const g = got.answers[i];
    if (got.status !== 0 || !g || !sameAnswer(exp, g)) bad.push(i);
  });
  if (got.status === 0 && got.answers.length !== batch.expected.length && bad.length === 0) bad.push(batch.expected.length - 1);
  return { bad, got };
}

// Whether Haven and cedar-wasm differ on this one-request case (plain files).
function differs(haven, dir, policies, entities, request, format) {
  const files = caseFiles(null, policies, entities, [request], format);
  const exp = decideAll(referenceSet(files), entities, [request])[0];
  if (exp.reject) return null;
  writeCase(dir, files);
  const got = runHaven(haven, dir);
  if (got.status === 0 && got.answers.length === 1 && sameAnswer(exp, got.answers[0])) return null;
  return { files, exp, got };
}

// Splits a generated policy into its head and its when/unless clauses
// (the generator puts each clause on its own line).
function clauses(policy) {
  const body = policy.replace(/;$/, '');
  const parts = body.split('\n  ');
  return { head: parts[0], conds: parts.slice(1) };
}

// Greedy shrinking of a failing single-request case. Every step keeps the
// failure; the result is usually one policy, a few entities, a few attributes.
export function minimise(haven, dir, policies, entities, request, format = 'cedar', budget = 400) {
  let calls = 0;
  const still = (p, e, q) => (calls++ < budget ? differs(haven, dir, p, e, q, format) : null);
  let cur = { p: policies.slice(), e: structuredClone(entities), q: structuredClone(request) };
  let last = still(cur.p, cur.e, cur.q);
  if (!last) return null;  // only fails with the original formatting
  const tryStep = (cand) => {
    const r = still(cand.p, cand.e, cand.q);
    if (r) { cur = cand; last = r; return true; }
    return false;
  };
  // Policies.
  for (let i = cur.p.length - 1; i >= 0; i--) {
    if (cur.p.length > 1) tryStep({ ...cur, p: cur.p.filter((_, j) => j !== i) });
  }
  // Clauses of each remaining policy.
  for (let i = 0; i < cur.p.length; i++) {
    let { head, conds } = clauses(cur.p[i]);
    for (let c = conds.length - 1; c >= 0; c--) {
      const nc = conds.filter((_, j) => j !== c);
      const text = [head, ...nc].join('\n  ') + ';';
      const p = cur.p.slice(); p[i] = text;
      if (tryStep({ ...cur, p })) conds = nc;
    }
  }
  // Entities, then their attributes, tags and parents.
  for (let i = cur.e.length - 1; i >= 0; i--) tryStep({ ...cur, e: cur.e.filter((_, j) => j !== i) });
  for (let i = 0; i < cur.e.length; i++) {
    for (const field of ['attrs', 'tags']) {
      for (const k of Object.keys(cur.e[i][field] || {})) {
        const e = structuredClone(cur.e);
        delete e[i][field][k];
        tryStep({ ...cur, e });
      }
    }
    if (cur.e[i].tags && Object.keys(cur.e[i].tags).length === 0) {
      const e = structuredClone(cur.e); delete e[i].tags; tryStep({ ...cur, e });
    }
    for (let j = cur.e[i].parents.length - 1; j >= 0; j--) {
      const e = structuredClone(cur.e);
      e[i].parents.splice(j, 1);
      tryStep({ ...cur, e });
    }
  }
  // Context keys.
  for (const k of Object.keys(cur.q.context)) {
    const q = structuredClone(cur.q);
    delete q.context[k];
    tryStep({ ...cur, q });
  }
  return { ...cur, ...last, calls };
}

// Saves a case under outDir/name: the three inputs, expected.jsonl from
// cedar-wasm, and notes.txt (what Haven said, cedar-wasm's messages).
export function saveCase(outDir, name, files, expected, notes) {
  const dir = join(outDir, name);
  if (existsSync(dir)) rmSync(dir, { recursive: true });
  writeCase(dir, files);
  if (expected) writeFileSync(join(dir, 'expected.jsonl'), expected.map((a) => answerLine(a) + '\n').join(''));
  else writeFileSync(join(dir, 'expect_reject'), 'cedar-wasm rejects this input; Haven must exit with status 2\n');
  writeFileSync(join(dir, 'notes.txt'), notes);
  return dir;
}

// Bonus: an input cedar-wasm rejects must make Haven exit with status 2.
export function checkReject(haven, dir, files) {
  writeCase(dir, files);
  const got = runHaven(haven, dir);
  return { ok: got.status === 2, got };
}

export { genPolicy };

// The sweep (gen.mjs sweepExpressions): chunks of one-expression policies
// decided for one request. A policy whose membership in the reasons or the
// errors differs is a mismatch; each is saved alone.
export function runSweep(haven, tmp, { save, outDir, maxSave }) {
  const exprs = sweepExpressions();
  const request = { principal: { type: 'User', id: 'alice' }, action: { type: 'Action', id: 'view' },
    resource: { type: 'Doc', id: 'd' }, context: {} };
  const asPolicy = (e) => `permit(principal, action, resource) when { ${e} };`;
  const chunk = 2000;
  const report = [];
  let mismatches = 0;
  let saved = 0;
  for (let start = 0; start < exprs.length; start += chunk) {
    const policies = exprs.slice(start, start + chunk).map(asPolicy);
    const files = caseFiles(null, policies, [], [request]);
    const exp = decideAll(files.policiesText, [], [request])[0];
    if (exp.reject) throw new Error('sweep chunk rejected by cedar-wasm: ' + exp.reject);
    const dir = join(tmp, 'sweep');
    writeCase(dir, files);
    const got = runHaven(haven, dir);
    const g = got.answers[0];
    let bad;
    if (got.status !== 0 || !g) {
      // Haven refused the whole chunk: find the policies it refuses one by one.
      bad = policies.map((_, i) => 'policy' + i).filter((id, i) => differs(haven, dir, [policies[i]], [], request, 'cedar'));
    } else {
      const sym = (x, y) => x.filter((id) => !y.includes(id)).concat(y.filter((id) => !x.includes(id)));
      bad = [...new Set([...sym(exp.reasons, g.reasons), ...sym(exp.errors, g.errors)])];
    }
    mismatches += bad.length;
    for (const id of bad) {
      const i = parseInt(id.slice(6), 10);
      const one = differs(haven, join(tmp, 'sweep1'), [policies[i]], [], request, 'cedar');
      const line = { name: `sweep-${start + i}`, expr: exprs[start + i], alone: !!one };
      if (one) {
        line.expected = answerLine(one.exp);
        line.got = one.got.answers[0] ? answerLine(one.got.answers[0]) : null;
        line.status = one.got.status;
        if (save && saved < maxSave) {
          saved++;
          line.saved = saveCase(outDir, line.name, one.files, [one.exp],
            `sweep expression ${start + i}: ${exprs[start + i]}\nexpected (cedar-wasm 4.13.0): ${answerLine(one.exp)}\n` +
            `cedar-wasm errors: ${JSON.stringify(one.exp.messages)}\nhaven exit ${one.got.status}; answer ${line.got}\n${one.got.stderr}\n`);
        }
      }
      report.push(line);
    }
  }
  return { expressions: exprs.length, mismatches, report };
}
