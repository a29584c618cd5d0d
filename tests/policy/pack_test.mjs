// Checks the welcoming-city policy pack (policies/welcoming-city/):
//   (a) policies.cedar validates against schema.cedarschema in strict mode,
//       with no error and no warning (cedar-wasm 4.13.0);
//   (b) demo-entities.json conforms to the schema;
//   (c) every scenario of scenarios.json gets the expected decision and
//       deciding policies from cedar-wasm AND from `haven cedar authorize`,
//       and the two engines give the same answer to every request.
// Usage: node pack_test.mjs HAVEN [--flip N]
//   --flip N inverts the expected decision of scenario N (0-based), to show
//   that the test fails when an expectation does not hold.
// Prints the first mismatch in full, then "N passed, N failed".
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const args = process.argv.slice(2);
const haven = args[0];
const flipAt = args.indexOf('--flip');
const flip = flipAt >= 0 ? Number(args[flipAt + 1]) : -1;
if (!haven) {
  console.error('usage: node pack_test.mjs HAVEN [--flip N]');
  process.exit(2);
}

const pack = join(root, 'policies', 'welcoming-city');
const policiesPath = join(pack, 'policies.cedar');
const entitiesPath = join(pack, 'demo-entities.json');
const policiesText = readFileSync(policiesPath, 'utf8');
const schemaText = readFileSync(join(pack, 'schema.cedarschema'), 'utf8');
const entities = JSON.parse(readFileSync(entitiesPath, 'utf8'));
const table = JSON.parse(readFileSync(join(here, 'scenarios.json'), 'utf8'));

let passed = 0;
let failed = 0;
let firstFailure = null;
function check(name, ok, detail) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  if (firstFailure === null) {
    firstFailure = name;
    console.log('FAIL: ' + name);
    if (detail !== undefined) console.log(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2));
  }
}
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
const messages = (list) => (list || []).map((e) => (e.policyId ? e.policyId + ': ' : '') + (e.error ? e.error.message : e.message));

console.log('cedar-wasm ' + cedar.getCedarVersion());

// ---------------------------------------------------------------- (a) (b)

const parsedSchema = cedar.checkParseSchema(schemaText);
check('schema parses', parsedSchema.type === 'success', messages(parsedSchema.errors));
if (parsedSchema.type !== 'success') finish();

const v = cedar.validate({ validationSettings: { mode: 'strict' }, schema: schemaText, policies: { staticPolicies: policiesText } });
check('the validator answers', v.type === 'success', messages(v.errors));
if (v.type === 'success') {
  check('policies validate in strict mode without errors', v.validationErrors.length === 0, messages(v.validationErrors));
  check('policies validate in strict mode without warnings',
    v.validationWarnings.length === 0 && v.otherWarnings.length === 0,
    messages(v.validationWarnings).concat(messages(v.otherWarnings)));
}
// The validation above means something only if the validator would refuse
// a policy that the schema does not allow.
const bad = cedar.validate({
  validationSettings: { mode: 'strict' }, schema: schemaText,
  policies: { staticPolicies: 'permit (principal, action == Action::"search", resource) when { context.purpose_code == "x" };' },
});
check('the validator refuses an attribute the schema lacks', bad.type === 'success' && bad.validationErrors.length > 0, bad);

const ents = cedar.checkParseEntities({ entities, schema: schemaText });
check('demo-entities.json conforms to the schema', ents.type === 'success', messages(ents.errors));

// The sets of fields in the table are the fields of the demo entities,
// protected exactly when the entities put them under FieldClass::"protected".
const fieldClass = new Map();
for (const e of entities) {
  if (e.uid.type !== 'Field') continue;
  fieldClass.set(e.uid.id, e.parents.map((p) => p.id).join(','));
}
const tableFields = new Map();
for (const f of table.sets['ordinary-fields']) tableFields.set(f, 'ordinary');
for (const f of table.sets['protected-fields']) tableFields.set(f, 'protected');
check('the table names every field of the demo entities, in its class',
  JSON.stringify([...fieldClass].sort()) === JSON.stringify([...tableFields].sort()),
  { entities: [...fieldClass].sort(), table: [...tableFields].sort() });

// ---------------------------------------------------------------- policy ids

// cedar-wasm gets the policies keyed by their @id; Haven's CLI names them
// policy0, policy1, ... in source order, mapped back through the @id lines.
const parts = cedar.policySetTextToParts(policiesText);
check('policies split', parts.type === 'success', parts);
if (parts.type !== 'success') finish();
const byId = {};
for (const p of parts.policies) {
  const j = cedar.policyToJson(p);
  const id = j.type === 'success' && j.json.annotations ? j.json.annotations.id : undefined;
  check('every policy has an @id', typeof id === 'string', p);
  check('@id is unique: ' + id, !(id in byId));
  byId[id] = p;
}
const sourceOrder = [...policiesText.matchAll(/^@id\("([^"]*)"\)/gm)].map((m) => m[1]);
check('the @id lines are the policies\' ids',
  JSON.stringify([...sourceOrder].sort()) === JSON.stringify(Object.keys(byId).sort()),
  { lines: sourceOrder, policies: Object.keys(byId) });
const havenName = (id) => {
  const m = /^policy(\d+)$/.exec(id);
  return m && sourceOrder[Number(m[1])] !== undefined ? sourceOrder[Number(m[1])] : 'unknown:' + id;
};

// ---------------------------------------------------------------- scenarios

// All the values a table entry stands for (see the table's comment).
function expand(value) {
  if (typeof value === 'string' && value.startsWith('$')) {
    const set = table.sets[value.slice(1)];
    if (!set) throw new Error('unknown set ' + value);
    return set.flatMap(expand);
  }
  if (Array.isArray(value)) return [value];
  if (value && typeof value === 'object') {
    if ('each' in value) return value.each.flatMap(expand);
    let out = [{}];
    for (const [k, v] of Object.entries(value)) {
      out = out.flatMap((o) => expand(v).map((x) => ({ ...o, [k]: x })));
    }
    return out;
  }
  return [value];
}

const RESOURCE_TYPE = { 'search': 'Dataset', 'read-record': 'Dataset', 'read-field': 'Field', 'read-ledger': 'Ledger' };
function targets(doValue) {
  return expand(doValue).flatMap((s) => {
    const [action, resource] = s.split(' ');
    if (!RESOURCE_TYPE[action]) throw new Error('unknown action in ' + s);
    return expand(resource).map((r) => ({ action, type: RESOURCE_TYPE[action], id: r }));
  });
}

const CONTEXT_KEYS = ['purpose', 'case_number', 'reason', 'flags', 'client_ip', 'time', 'warrant'];
const cases = [];  // {scenario index, name, request, expect, reasons?, reasons_include?}
table.scenarios.forEach((s, index) => {
  const request = { who: s.who, do: s.do };
  for (const k of CONTEXT_KEYS) request[k] = k in s ? s[k] : table.defaults[k];
  const expect = index === flip ? (s.expect === 'allow' ? 'deny' : 'allow') : s.expect;
  for (const r of expandRequest(request)) {
    cases.push({ index, name: s.name, expect, reasons: s.reasons, reasons_include: s.reasons_include, ...r });
  }
});
function expandRequest(request) {
  const { do: doValue, ...rest } = request;
  if (rest.warrant === undefined) delete rest.warrant;
  return expand(rest).flatMap((r) => targets(doValue).map((t) => {
    const context = {
      purpose: r.purpose,
      case_number: r.case_number,
      reason: r.reason,
      flags: r.flags,
      client_ip: { __extn: { fn: 'ip', arg: r.client_ip } },
      time: { __extn: { fn: 'datetime', arg: r.time } },
    };
    if (r.warrant !== undefined) context.warrant = r.warrant;
    return {
      request: {
        principal: { type: 'User', id: r.who },
        action: { type: 'Action', id: t.action },
        resource: { type: t.type, id: t.id },
        context,
      },
    };
  }));
}
check('the scenarios expand to requests', cases.length > 0);
table.scenarios.forEach((s, i) => check('scenario ' + i + ' has requests: ' + s.name, cases.some((c) => c.index === i)));

// cedar-wasm, checking each request against the schema too.
const pre = cedar.preparsePolicySet('pack', { staticPolicies: byId });
check('cedar-wasm takes the policies', pre.type === 'success', pre);
const preSchema = cedar.preparseSchema('schema', schemaText);
check('cedar-wasm takes the schema', preSchema.type === 'success', preSchema);
if (pre.type !== 'success' || preSchema.type !== 'success') finish();
const wasmAnswers = cases.map((c) => {
  const r = cedar.statefulIsAuthorized({
    ...c.request, preparsedPolicySetId: 'pack', preparsedSchemaName: 'schema', validateRequest: true, entities,
  });
  if (r.type !== 'success') return { reject: messages(r.errors).join('; ') };
  return {
    decision: r.response.decision,
    reasons: [...r.response.diagnostics.reason].sort(),
    errors: r.response.diagnostics.errors.map((e) => e.policyId + ': ' + e.error.message),
  };
});

// Haven, on the same requests, in one run.
const tmp = mkdtempSync(join(tmpdir(), 'haven-pack-'));
let havenAnswers = [];
try {
  const requestsPath = join(tmp, 'requests.jsonl');
  writeFileSync(requestsPath, cases.map((c) => JSON.stringify(c.request)).join('\n') + '\n');
  const run = spawnSync(haven, ['cedar', 'authorize', '--policies', policiesPath, '--entities', entitiesPath,
    '--requests', requestsPath], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120000 });
  check('haven cedar authorize exits 0', run.status === 0, { status: run.status, signal: run.signal, error: String(run.error || ''), stderr: run.stderr });
  havenAnswers = (run.stdout || '').split('\n').filter((l) => l.trim()).map((l) => {
    try {
      const a = JSON.parse(l);
      return {
        decision: a.decision,
        reasons: (a.reasons || []).map(havenName).sort(),
        errors: (a.errors || []).map((e) => JSON.stringify(e)),
      };
    } catch (e) {
      return { reject: 'unparsable line: ' + l.slice(0, 200) };
    }
  });
  check('haven answers every request', havenAnswers.length === cases.length, { requests: cases.length, answers: havenAnswers.length });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function judge(c, engine, a) {
  const where = { scenario: c.index + ': ' + c.name, engine, request: c.request, answer: a };
  if (!a || a.reject) return check(`${engine} decides scenario ${c.index}`, false, where);
  check(`${engine}: no policy errors in scenario ${c.index}`, a.errors.length === 0, where);
  check(`${engine}: decision ${c.expect} in scenario ${c.index}`, a.decision === c.expect, { ...where, expected: c.expect });
  if (c.reasons) {
    check(`${engine}: reasons in scenario ${c.index}`, JSON.stringify(a.reasons) === JSON.stringify([...c.reasons].sort()),
      { ...where, expected_reasons: c.reasons });
  }
  if (c.reasons_include) {
    check(`${engine}: reasons in scenario ${c.index}`, c.reasons_include.every((r) => a.reasons.includes(r)),
      { ...where, expected_reasons_include: c.reasons_include });
  }
}
cases.forEach((c, i) => {
  judge(c, 'cedar-wasm', wasmAnswers[i]);
  judge(c, 'haven', havenAnswers[i]);
  const w = wasmAnswers[i];
  const h = havenAnswers[i];
  if (w && h && !w.reject && !h.reject) {
    check(`haven and cedar-wasm agree in scenario ${c.index}`,
      w.decision === h.decision && JSON.stringify(w.reasons) === JSON.stringify(h.reasons) && w.errors.length === h.errors.length,
      { scenario: c.index + ': ' + c.name, request: c.request, cedar_wasm: w, haven: h });
  }
});
console.log(`${cases.length} requests from ${table.scenarios.length} scenarios, each decided by both engines`);
finish();
