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
export function policyJson(text) {
  const r = cedar.policyToJson(text);
  if (r.type !== 'success') return null;
  const back = cedar.checkParsePolicySet({ staticPolicies: { p: r.json } });
  return back.type === 'success' ? r.json : null;
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
      throw new Error('cedar-wasm trapped; its instance is now unusable: ' + e.message);
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
