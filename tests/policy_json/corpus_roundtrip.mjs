// Checks Haven's JSON policy format (src/cedar/policy_json.*) against
// cedar-wasm on every policy of the conformance corpus, in both directions:
//
//   text --haven--> JSON    must mean what cedar-wasm's policyToJson means,
//                           and cedar-wasm must accept it (policyToText);
//   cedar-wasm JSON --haven--> JSON   must mean the same again.
//
// "Means the same" is equality after normalizing both sides (normalize()
// below), which removes only differences that Cedar itself erases when it
// turns the JSON into its AST: `has` paths vs. chains of `has`, `Value`
// sets/records/extension escapes vs. Set/Record/call expressions, split vs.
// merged `like` literals, `__entity` vs. bare uids, `@a` as null vs. "",
// "all" vs. "All", `action in [A]` vs. `action in A`.
//
// Usage: node corpus_roundtrip.mjs <haven-binary> <corpus-dir | corpus .tar.gz>
// Prints counts and the first mismatches; exits 1 on any mismatch.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const cedar = require(
    path.join(here, '../../node_modules/@cedar-policy/cedar-wasm/nodejs'));

const [haven, corpusArg] = process.argv.slice(2);
if (!haven || !corpusArg) {
  console.error('usage: corpus_roundtrip.mjs <haven> <corpus-dir|tar.gz>');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-json-'));
let corpusDir = corpusArg;
if (corpusArg.endsWith('.tar.gz')) {
  execFileSync('tar', ['-xzf', corpusArg, '-C', tmp]);
  corpusDir = path.join(tmp, 'corpus-tests');
}

// ---------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------

function uid(u) {
  if (u && typeof u === 'object' && u.__entity) u = u.__entity;
  return { type: u.type, id: u.id };
}

function scope(s) {
  const op = s.op === 'all' ? 'All' : s.op;
  if (op === 'All') return { op };
  if (op === 'is') {
    const r = { op, entity_type: s.entity_type };
    if (s.in) r.in = 'entity' in s.in ? { entity: uid(s.in.entity) } : { slot: s.in.slot };
    return r;
  }
  if ('entity' in s) return { op, entity: uid(s.entity) };
  if ('entities' in s) {
    // Cedar's AST keeps `action in [A]` as a list of one, and writes it back
    // as {"entity": A}.
    if (s.entities.length === 1) return { op, entity: uid(s.entities[0]) };
    return { op, entities: s.entities.map(uid) };
  }
  return { op, slot: s.slot };
}

// A `Value` body as the expression Cedar makes of it.
function value(v) {
  if (Array.isArray(v)) return { Set: v.map(value) };
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '__entity' && v.__entity &&
        typeof v.__entity.type === 'string' && typeof v.__entity.id === 'string') {
      return { Value: { __entity: uid(v) } };
    }
    if (keys.length === 1 && keys[0] === '__extn' && v.__extn &&
        typeof v.__extn.fn === 'string') {
      const x = v.__extn;
      if ('arg' in x) return { [x.fn]: [value(x.arg)] };
      if (Array.isArray(x.args)) return { [x.fn]: x.args.map(value) };
    }
    const rec = {};
    for (const k of keys) rec[k] = value(v[k]);
    return { Record: rec };
  }
  return { Value: v };
}

function pattern(elems) {
  const out = [];
  for (const e of elems) {
    if (e === 'Wildcard') { out.push('Wildcard'); continue; }
    const s = e.Literal;
    if (s === '') continue;
    const last = out[out.length - 1];
    if (last && last !== 'Wildcard') last.Literal += s;
    else out.push({ Literal: s });
  }
  return out;
}

const BINARY = new Set(['==', '!=', 'in', '<', '<=', '>', '>=', '&&', '||', '+',
  '-', '*', 'contains', 'containsAll', 'containsAny', 'getTag', 'hasTag']);

function expr(e) {
  const [k] = Object.keys(e);
  const v = e[k];
  if (k === 'Value') return value(v);
  if (k === 'Var' || k === 'Slot') return { [k]: v };
  if (k === '!' || k === 'neg' || k === 'isEmpty') return { [k]: { arg: expr(v.arg) } };
  if (BINARY.has(k)) return { [k]: { left: expr(v.left), right: expr(v.right) } };
  if (k === '.') return { '.': { left: expr(v.left), attr: v.attr } };
  if (k === 'has') {
    const left = expr(v.left);
    if (!Array.isArray(v.attr)) return { has: { left, attr: v.attr } };
    // `e has a.b` is `e has a && e.a has b` (left-nested).
    let result = null;
    let prefix = left;
    for (const a of v.attr) {
      const h = { has: { left: prefix, attr: a } };
      result = result ? { '&&': { left: result, right: h } } : h;
      prefix = { '.': { left: prefix, attr: a } };
    }
    return result;
  }
  if (k === 'like') return { like: { left: expr(v.left), pattern: pattern(v.pattern) } };
  if (k === 'is') {
    const r = { left: expr(v.left), entity_type: v.entity_type };
    if (v.in !== undefined && v.in !== null) r.in = expr(v.in);
    return { is: r };
  }
  if (k === 'if-then-else') {
    return { 'if-then-else': { if: expr(v.if), then: expr(v.then), else: expr(v.else) } };
  }
  if (k === 'Set') return { Set: v.map(expr) };
  if (k === 'Record') {
    const rec = {};
    for (const key of Object.keys(v)) rec[key] = expr(v[key]);
    return { Record: rec };
  }
  return { [k]: v.map(expr) };  // extension function call
}

function policy(p) {
  const annotations = {};
  for (const [k, v] of Object.entries(p.annotations ?? {})) annotations[k] = v ?? '';
  return {
    effect: p.effect,
    principal: scope(p.principal),
    action: scope(p.action),
    resource: scope(p.resource),
    conditions: p.conditions.map((c) => ({ kind: c.kind, body: expr(c.body) })),
    annotations,
  };
}

// Canonical text: object keys sorted.
function canon(x) {
  if (Array.isArray(x)) return '[' + x.map(canon).join(',') + ']';
  if (x !== null && typeof x === 'object') {
    return '{' + Object.keys(x).sort()
        .map((k) => JSON.stringify(k) + ':' + canon(x[k])).join(',') + '}';
  }
  return JSON.stringify(x);
}

const normalize = (p) => canon(policy(p));

// True if the JSON holds an integer a JS number cannot carry exactly (such
// JSON from cedar-wasm has already been rounded, so it is not fed back).
function hasInexactNumber(x) {
  if (typeof x === 'number') return !Number.isSafeInteger(x);
  if (Array.isArray(x)) return x.some(hasInexactNumber);
  if (x !== null && typeof x === 'object') return Object.values(x).some(hasInexactNumber);
  return false;
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

const files = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.cedar')).sort();
const texts = [];
const reference = [];  // cedar-wasm's JSON for each policy, in order
for (const f of files) {
  const text = fs.readFileSync(path.join(corpusDir, f), 'utf8');
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success' || parts.policy_templates.length > 0) continue;
  for (const p of parts.policies) {
    const r = cedar.policyToJson(p);
    if (r.type !== 'success') continue;
    texts.push(p);
    reference.push({ file: f, text: p, json: r.json });
  }
}

// Forms the corpus may not hold: every operator and method, `has` paths,
// `is ... in`, tags, escapes in strings and patterns, annotations.
const EXTRA = [
  String.raw`@id("x") @sealed @if("\u{1F600}\n") forbid(principal in Agency::"ice",
    action in [Action::"search", NS::Action::"read"],
    resource is Dataset in Folder::"f\"q")
    when { context.purpose like "*immi\*gra*tion\\" && context has a.b.c }
    unless { principal.age >= -5 || !(resource.tags.contains("x")) };`,
  String.raw`permit(principal is User, action == Action::"a", resource)
    when { principal is User in [Group::"g"] && resource.hasTag("t") &&
      resource.getTag("t") != 2 * 3 - 1 + -(4) - -9223372036854775808 &&
      [1].containsAll([1]) && [2].containsAny([3]) && [].isEmpty() &&
      datetime("2024-01-01").offset(duration("1h")) > datetime("2024-01-01")
      && {"a b": 1, c: [true, "s"]}["a b"] < 2 && 1 <= 2 &&
      principal in resource && !(principal == action) && context.x.y.z &&
      ip("10.0.0.1").isInRange(ip("10.0.0.0/8")) && ip("::1").isLoopback() &&
      decimal("1.5").lessThanOrEqual(decimal("2")) &&
      datetime("2024-01-01T00:00:00Z").toDate() == datetime("2024-01-01") &&
      duration("1d").toHours() == 24 &&
      (if context has q then context.q else false) };`,
  String.raw`permit(principal, action in Action::"g", resource == R::"r")
    when { context["a\tb"] == "\0\r\'" && "" like "" && "x" like "**" };`,
];
for (const t of EXTRA) {
  const r = cedar.policyToJson(t);
  if (r.type !== 'success') {
    console.log('extra policy rejected by cedar-wasm: ' +
                r.errors.map((e) => e.message).join('; '));
    process.exit(1);
  }
  texts.push(t);
  reference.push({ file: 'extra', text: t, json: r.json });
}

function runHaven(file) {
  return JSON.parse(execFileSync(haven, ['cedar', 'format', file, '--to', 'json'],
                                 { maxBuffer: 1 << 30, encoding: 'utf8' }));
}

// Text -> Haven JSON. Policies are named policy0, policy1, ... in order.
const textFile = path.join(tmp, 'all.cedar');
fs.writeFileSync(textFile, texts.join('\n'));
const fromText = runHaven(textFile).staticPolicies;

// cedar-wasm JSON -> Haven -> JSON.
const back = {};
let skipped = 0;
reference.forEach((r, i) => {
  if (hasInexactNumber(r.json)) skipped++;
  else back['p' + i] = r.json;
});
const jsonFile = path.join(tmp, 'all.json');
fs.writeFileSync(jsonFile, JSON.stringify({ staticPolicies: back }));
const fromJson = runHaven(jsonFile).staticPolicies;

let same = 0, differ = 0, rejected = 0, backSame = 0, backDiffer = 0;
const report = [];
reference.forEach((r, i) => {
  const want = normalize(r.json);
  const got = fromText['policy' + i];
  if (!got) {
    differ++;
    report.push(`${r.file}: Haven produced no policy${i}`);
    return;
  }
  if (normalize(got) === want) {
    same++;
  } else {
    differ++;
    if (report.length < 10) {
      report.push(`${r.file}: text->JSON differs\n  text:  ${r.text}\n` +
                  `  wasm:  ${want}\n  haven: ${normalize(got)}`);
    }
  }
  // cedar-wasm takes JS objects, so integers beyond 2^53 cannot reach it
  // intact; those policies are checked only by the comparison above.
  const accepted = hasInexactNumber(got) ? { type: 'success' } : cedar.policyToText(got);
  if (accepted.type !== 'success') {
    rejected++;
    if (report.length < 10) {
      report.push(`${r.file}: cedar-wasm rejects Haven's JSON: ` +
                  accepted.errors.map((e) => e.message).join('; '));
    }
  }
  const b = fromJson['p' + i];
  if (b === undefined) return;
  if (normalize(b) === want) {
    backSame++;
  } else {
    backDiffer++;
    if (report.length < 10) {
      report.push(`${r.file}: JSON->JSON differs\n  wasm:  ${want}\n` +
                  `  haven: ${normalize(b)}`);
    }
  }
});

// Templates and links (the corpus has none): Haven's JSON for a set with
// both must be accepted by cedar-wasm and keep its templates' meaning.
const templateSet = {
  staticPolicies: { s: reference[0].json },
  templates: {
    t: { effect: 'forbid', principal: { op: '==', slot: '?principal' },
         action: { op: 'in', entities: [{ type: 'Action', id: 'a' }] },
         resource: { op: 'is', entity_type: 'Doc', in: { slot: '?resource' } },
         conditions: [{ kind: 'when', body: { Var: 'context' } }],
         annotations: { id: 't' } },
    u: { effect: 'permit', principal: { op: 'All' }, action: { op: 'All' },
         resource: { op: 'in', slot: '?resource' }, conditions: [] },
  },
  templateLinks: [
    { templateId: 't', newId: 'l1',
      values: { '?principal': { type: 'User', id: 'a' },
                '?resource': { __entity: { type: 'F', id: 'f' } } } },
    { templateId: 'u', newId: 'l2', values: { '?resource': { type: 'F', id: 'g' } } },
  ],
};
const setFile = path.join(tmp, 'templates.json');
fs.writeFileSync(setFile, JSON.stringify(templateSet));
const havenSet = runHaven(setFile);
const setCheck = cedar.checkParsePolicySet(havenSet);
let templateFailures = 0;
if (setCheck.type !== 'success') {
  templateFailures++;
  report.push('cedar-wasm rejects Haven\'s policy set with templates: ' +
              setCheck.errors.map((e) => e.message).join('; '));
}
for (const id of Object.keys(templateSet.templates)) {
  if (normalize(havenSet.templates[id]) !== normalize(templateSet.templates[id])) {
    templateFailures++;
    report.push(`template ${id} differs: ${canon(havenSet.templates[id])}`);
  }
}
if (canon(havenSet.templateLinks.map((l) => [l.templateId, l.newId,
        uid(l.values['?principal'] ?? { type: '', id: '' }),
        uid(l.values['?resource'] ?? { type: '', id: '' })])) !==
    canon(templateSet.templateLinks.map((l) => [l.templateId, l.newId,
        uid(l.values['?principal'] ?? { type: '', id: '' }),
        uid(l.values['?resource'] ?? { type: '', id: '' })]))) {
  templateFailures++;
  report.push(`template links differ: ${canon(havenSet.templateLinks)}`);
}

fs.rmSync(tmp, { recursive: true, force: true });
for (const line of report) console.log(line);
console.log(`text->JSON: ${same} same, ${differ} different, ` +
            `${rejected} rejected by cedar-wasm`);
console.log(`JSON->JSON: ${backSame} same, ${backDiffer} different, ` +
            `${skipped} skipped (integers beyond 2^53, rounded by cedar-wasm)`);
console.log(`templates and links: ${templateFailures === 0 ? 'same' : 'different'}`);
const failed = differ + rejected + backDiffer + templateFailures;
console.log(`${same + backSame} passed, ${failed} failed`);
process.exit(failed === 0 && same > 0 ? 0 : 1);
