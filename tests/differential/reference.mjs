// The reference: @cedar-policy/cedar-wasm 4.13.0, resolved from the repo's
// node_modules (the root package.json pins it; `npm ci` installs it).
//
// Policies are passed as one text, so cedar-wasm names them policy0,
// policy1, ... in source order, exactly as Haven's CLI does.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const cedar = require('@cedar-policy/cedar-wasm/nodejs');

export function version() {
  return cedar.getCedarVersion();
}

// null if the policy text parses, else the first error message.
export function policyError(text) {
  const r = cedar.checkParsePolicySet({ staticPolicies: text });
  return r.type === 'success' ? null : r.errors.map((e) => e.message).join('; ');
}

export function entitiesError(entities) {
  const r = cedar.checkParseEntities({ entities });
  return r.type === 'success' ? null : r.errors.map((e) => e.message).join('; ');
}


// The JSON form (cedar-wasm's policyToJson) of one policy text, or null if it
// does not survive the trip (JavaScript numbers cannot hold every long).
// cedar-wasm throws (serde's recursion limit) on JSON nested past 128
// levels, which deep policies reach; those stay in text batches.
export function policyJson(text) {
  try {
    const r = cedar.policyToJson(text);
    if (r.type !== 'success') return null;
    const back = cedar.checkParsePolicySet({ staticPolicies: { p: r.json } });
    return back.type === 'success' ? r.json : null;
  } catch (e) {
    return null;
  }
}

// Decides each request against one policy set (a text, or an object mapping
// ids to JSON policies) and entity list. Returns an
// array with, per request, {decision, reasons, errors} (ids sorted) or
// {reject: message} when cedar-wasm refuses the input.
export function decideAll(policies, entities, requests) {
  const id = 'current';  // reused: cedar-wasm keeps every preparsed set
  const pre = cedar.preparsePolicySet(id, { staticPolicies: policies });
  if (pre.type !== 'success') {
    const msg = pre.errors.map((e) => e.message).join('; ');
    return requests.map(() => ({ reject: msg }));
  }
  return requests.map((q) => {
    let r;
    try {
      r = cedar.statefulIsAuthorized({
        principal: q.principal, action: q.action, resource: q.resource, context: q.context,
        preparsedPolicySetId: id, entities,
      });
    } catch (e) {
      // A trap (e.g. stack exhaustion on very deep input) leaves the wasm
      // instance unusable: every later answer would be garbage.
      if (e instanceof WebAssembly.RuntimeError) throw new Error('cedar-wasm trapped; its instance is now unusable: ' + e.message);
      return { reject: 'cedar-wasm threw: ' + e.message };
    }
    if (r.type !== 'success') return { reject: r.errors.map((e) => e.message).join('; ') };
    const d = r.response.diagnostics;
    return {
      decision: r.response.decision,
      reasons: [...d.reason].sort(),
      errors: d.errors.map((e) => e.policyId).sort(),
      messages: d.errors.map((e) => e.policyId + ': ' + e.error.message),
    };
  });
}

// ---------------------------------------------------------------- batched

// cedar-wasm converts the whole entity list on every call, which costs about
// 2 ms for a typical generated store: most of a run's time. decideBatched
// decides a whole batch in a few calls instead. For each request i and policy
// j it writes a policy P(i,j): the scope of j turned into a first `when`
// clause, and principal, action, resource and context replaced by the
// request's values written as literals (an entity uid, a record literal).
// Cedar evaluates a policy's scope and clauses in order with `&&`, so P(i,j)
// is satisfied, false or erroring exactly when j is for request i. One call
// with all P(i,j) gives every request's reasons and errors; the decision
// follows from them (a satisfied forbid denies; else a satisfied permit
// allows). Requests whose context cannot be written as a literal, and
// policies whose structure is unknown, go through decideAll instead.
// `run.mjs --check-batched` compares the two on every batch.
import { POLICY_PARTS } from './gen.mjs';

function strLit(s) {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp < 0x20 || cp === 0x7f) out += '\\u{' + cp.toString(16) + '}';
    else out += ch;
  }
  return out + '"';
}

function uidLit(u) {
  return u.type + '::' + strLit(u.id);
}

const CONSTRUCTORS = new Set(['ip', 'decimal', 'datetime', 'duration']);

// A Cedar literal expression for a context JSON value, or null.
function valueLit(v) {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? (v < 0 ? '(' + v + ')' : String(v)) : null;
  if (typeof v === 'string') return strLit(v);
  if (Array.isArray(v)) {
    const items = v.map(valueLit);
    return items.includes(null) ? null : '[' + items.join(', ') + ']';
  }
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.some((k) => k.startsWith('__'))) {
      if (keys.length !== 1) return null;
      if (keys[0] === '__entity') {
        const e = v.__entity;
        if (!e || typeof e.type !== 'string' || typeof e.id !== 'string' || Object.keys(e).length !== 2) return null;
        return uidLit(e);
      }
      if (keys[0] === '__extn') {
        const x = v.__extn;
        if (!x || !CONSTRUCTORS.has(x.fn) || typeof x.arg !== 'string' || Object.keys(x).length !== 2) return null;
        return x.fn + '(' + strLit(x.arg) + ')';
      }
      return null;
    }
    const parts = keys.map((k) => {
      const lit = valueLit(v[k]);
      return lit === null ? null : strLit(k) + ': ' + lit;
    });
    return parts.includes(null) ? null : '{' + parts.join(', ') + '}';
  }
  return null;
}

const VARS = new Set(['principal', 'action', 'resource', 'context']);

// Replaces the variables in expression text, leaving string literals,
// attribute names (after `.`) and type paths (around `::`) alone.
// `context` followed by `.`, `[` or `has` becomes the context entity (the
// request's context stored as an entity's attributes: same values, same
// errors); any other use needs the record literal, and returns null if
// there is none.
function substitute(text, lits) {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j])) j++;
      const word = text.slice(i, j);
      const before = out.trimEnd();
      const after = text.slice(j).trimStart();
      if (VARS.has(word) && !before.endsWith('.') && !before.endsWith('::') && !after.startsWith('::')) {
        if (word === 'context') {
          if (/^(\.|\[|has\b)/.test(after)) out += '(' + lits.contextEntity + ')';
          else if (lits.context === null) return null;
          else out += '(' + lits.context + ')';
        } else {
          out += '(' + lits[word] + ')';
        }
      } else {
        out += word;
      }
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// Reads a uid written by gen.mjs (`Type::"escaped id"`) back.
function parseUid(text) {
  const m = /^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::"(.*)"$/s.exec(text);
  if (!m) return null;
  let ok = true;
  const id = m[2].replace(/\\(u\{([0-9a-fA-F]+)\}|.)/g, (all, e, hex) => {
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    const c = { n: '\n', t: '\t', r: '\r', 0: '\0', '\\': '\\', '"': '"', "'": "'" }[e];
    if (c === undefined) ok = false;
    return c ?? '';
  });
  return ok ? { type: m[1], id } : null;
}

// False when a principal or resource scope `v == UID`, `v is T` (the forms
// that need no hierarchy) cannot match uid u; true when it may.
function scopeMayMatch(scope, u) {
  let m = /^(principal|resource) == (.*)$/s.exec(scope);
  if (m) {
    const x = parseUid(m[2]);
    return !x || (x.type === u.type && x.id === u.id);
  }
  m = /^(principal|resource) is ([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)( in .*)?$/s.exec(scope);
  if (m) return m[2] === u.type;
  return true;
}

export function decideBatched(policies, entities, requests, maxPolicies = 3000) {
  const parts = policies.map((p) => POLICY_PARTS.get(p));
  if (parts.includes(undefined) || policies.length === 0) return decideAll(policies.join('\n'), entities, requests);
  const answers = new Array(requests.length);
  // Per request: the texts of its P(i,j), or null (then the slow path).
  const fast = [];
  requests.forEach((q, i) => {
    const lits = {
      principal: uidLit(q.principal), action: uidLit(q.action), resource: uidLit(q.resource),
      context: valueLit(q.context), contextEntity: 'BatchContext::"' + i + '"',
    };
    const texts = [];
    for (const pp of parts) {
      if (!scopeMayMatch(pp.scopes[0], q.principal) || !scopeMayMatch(pp.scopes[2], q.resource)) {
        texts.push(null);  // scope cannot match: not satisfied, no error
        continue;
      }
      const pieces = pp.scopes.map((s) => (VARS.has(s) ? 'true' : substitute(s, lits)))
        .concat(pp.conds.map(([, body]) => substitute(body, lits)));
      if (pieces.includes(null)) return;
      const scope = pieces.slice(0, 3).map((x) => '(' + x + ')').join(' && ');
      // Every P(i,j) is a permit: the call's reasons are then exactly the
      // satisfied ones (with a forbid among them Cedar would list only forbids).
      texts.push('permit(principal, action, resource) when { ' + scope + ' }' +
        pp.conds.map(([kw], c) => ' ' + kw + ' { ' + pieces[3 + c] + ' }').join('') + ';\n');
    }
    fast.push([i, texts]);
  });
  const m = policies.length;
  const perCall = Math.max(1, Math.floor(maxPolicies / m));
  for (let start = 0; start < fast.length; start += perCall) {
    const chunk = fast.slice(start, start + perCall);
    // Ids follow the position in the text; skipped P(i,j) are given a
    // placeholder that is never satisfied and never errs.
    const text = chunk.map(([, texts]) => texts.map((t) => t ?? 'forbid(principal, action, resource) when { false };\n').join('')).join('');
    const ctxEntities = chunk.map(([i]) => ({ uid: { type: 'BatchContext', id: String(i) }, attrs: requests[i].context, parents: [] }));
    let r;
    try {
      r = cedar.isAuthorized({
        principal: { type: 'Batch', id: 'p' }, action: { type: 'Batch', id: 'a' }, resource: { type: 'Batch', id: 'r' },
        context: {}, policies: { staticPolicies: text }, entities: entities.concat(ctxEntities),
      });
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new Error('cedar-wasm trapped; its instance is now unusable: ' + e.message);
      continue;  // a thrown error (e.g. a recursion limit): the slow path below decides
    }
    if (r.type !== 'success') continue;  // left to the slow path below
    const d = r.response.diagnostics;
    const reason = new Set(d.reason);
    const errs = new Map();
    for (const e of d.errors) errs.set(e.policyId, e.error.message);
    chunk.forEach(([i], k) => {
      const permits = [];
      const forbids = [];
      const errors = [];
      const messages = [];
      parts.forEach((pp, j) => {
        const id = 'policy' + (k * m + j);
        if (reason.has(id)) (pp.effect === 'permit' ? permits : forbids).push('policy' + j);
        if (errs.has(id)) { errors.push('policy' + j); messages.push('policy' + j + ': ' + errs.get(id)); }
      });
      const decision = forbids.length === 0 && permits.length > 0 ? 'allow' : 'deny';
      answers[i] = { decision, reasons: (forbids.length ? forbids : permits).sort(), errors: errors.sort(), messages };
    });
  }
  // The rest, one by one.
  const rest = requests.map((_, i) => i).filter((i) => answers[i] === undefined);
  if (rest.length) {
    const slow = decideAll(policies.join('\n'), entities, rest.map((i) => requests[i]));
    rest.forEach((i, k) => { answers[i] = slow[k]; });
  }
  return answers;
}
