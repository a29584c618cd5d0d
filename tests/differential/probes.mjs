// Hand-written probes: policy texts that poke at the lexer and parser
// (literal forms, escapes, separators, reserved words, annotations, scope
// forms) and entity/context JSON that pokes at the escapes (__entity,
// __extn with arg/args, extra keys, nulls, non-constructor functions,
// duplicates). Each is decided by cedar-wasm and by Haven: both must reject,
// or both must give the same answer. run.mjs runs them with the sweep.
import { decideAll, entitiesError, policyError } from './reference.mjs';
import { writeCase, runHaven, sameAnswer, answerLine } from './haven.mjs';
import { join } from 'node:path';

// Divergences that are deliberate, reported but not counted as mismatches.
// A text policy file may hold templates: Cedar's PolicySet::from_str (and the
// Rust CLI) accept them, unlinked templates never apply; cedar-wasm's
// `staticPolicies` refuses them ("static policy set includes a template").
const KNOWN = new Set(['permit(principal == ?principal, action, resource);']);

function policyProbes() {
  const W = (w) => `permit(principal, action, resource) when { ${w} };`;
  const cases = [
    W('007 == 7'), W('1_000 == 1000'), W('0x10 == 16'), W('1\u00a0== 1'), W('1 ==\t1'), W('1 == 1 // c\n'), W('TRUE'),
    'Permit(principal, action, resource);', 'permit(principal,action,resource,);', 'permit(principal,action,resource) when { true } ;',
    'permit(principal,action,resource) when { true };;', 'permit ( principal , action , resource ) ;', 'permit(principal, action, resource)when{true}unless{false};',
    W('"\\u{0}" == "\\0"'), W('"\\u{00000041}" == "A"'), W('"\\u{}" == ""'), W('"\\u{D800}" == ""'), W('"\\x41" == "A"'),
    W('principal.name'), W('principal["name"]'), W('principal . name == 1'), W('principal has name.'), W('principal has "a".b'),
    W('principal has a.if'), W('context has "x y".z'), W('[1,2,].contains(1)'), W('{a:1,}.a == 1'), W('{"a":1}.a == 1'), W('{}.a'),
    W('[].isEmpty()'), W('[] == []'), W('{} == {}'), W('User::"a" == User :: "a"'), W('User:: "a" == User::"a"'), W('A::B :: C::"x" is A::B::C'),
    W('principal is A :: B'), W('if true then true else false'), W('if (true) then (true) else (false)'),
    W('ip("1.2.3.4") .isIpv4()'), W('ip ("1.2.3.4").isIpv4()'), W('decimal("1.0").lessThan(decimal("2.0"),)'),
    W('"a" like "a" like "a"'), W('!true == false'), W('-1 == - 1'), W('-(1) == -1'), W('- 9223372036854775808 < 0'),
    W('(-9223372036854775808) < 0'), W('-(9223372036854775808) < 0'), W('--9223372036854775808 < 0'),
    W('9223372036854775807 == 9223372036854775807'), W('00000000000000000009223372036854775807 > 0'),
    W('principal in [principal]'), W('principal in []'), W('principal in [1]'), W('1 in [1]'), W('principal in {a: principal}'),
    W('context.contains(1)'), W('[1].contains(1, 2)'), W('[1].containsAll(1)'), W('"abc".contains("a")'),
    W('principal.getTag()'), W('principal.hasTag(1)'), W('ip("1.2.3.4").isInRange()'), W('datetime("2024-01-01").offset()'),
    W('isIpv4(ip("1.2.3.4"))'), W('decimal("1.0", "2.0") == decimal("1.0")'), W('ip("1.2.3.4").foo()'), W('foo("x")'),
    W('principal.isEmpty()'), W('action.isIpv4()'),
    '@a("x")@b("y")permit(principal,action,resource);', '@a("x") @a("x") permit(principal,action,resource);', '@A("x") @a("y") permit(principal,action,resource);',
    '@_a permit(principal,action,resource);', '@1a permit(principal,action,resource);', '@if("x") permit(principal,action,resource);', '@a::b("x") permit(principal,action,resource);',
    'permit(principal == ?principal, action, resource);', 'permit(principal in User::"a", action == Action::"x", resource in [Doc::"a"]);',
    'permit(principal, action in Action::"a", resource);', 'permit(principal, action == User::"a", resource);', 'permit(principal, action in [User::"a"], resource);',
    'permit(principal is Action, action, resource);', 'permit(action, principal, resource);', 'permit(principal, action, resource) when { true } when { true } unless { false } unless { false };',
    'permit(principal is User in [User::"a"], action, resource);', 'permit(principal == User::"a" , action , resource is Doc in Doc::"x" );',
    W('principal.a.b.c.d.e'), W('context.a["b"].c'), W('principal has a || principal.a'), W('principal["a b"] has "c d"'),
    W('"\\u{10FFFF}" != ""'), W('"\\u{110000}" != ""'), W('"\\u{1F600}" like "*"'),
    '\ufeffpermit(principal, action, resource);', 'permit(principal, action, resource);\u0000', 'permit(principal, action, resource); /* c */',
    'permit(principal, action, resource);\r\n', W('1 <= 2 && 2 >= 1 && 1 != 2'), W('1 =< 2'), W('1 => 2'), W('1 <> 2'), W('1 === 1'), W('a'),
    W('principal.owner.owner.owner'), W('resource in resource.parent'), W('context has principal'), W('{principal: 1}.principal == 1'), W('{if: 1} == {}'),
    W('{"if": 1}["if"] == 1'), W('principal is principal'), W('principal is __cedar::User'), W('principal == __cedar::User::"a"'), W('principal == Action'),
  ];
  return cases;
}

function jsonProbes() {
  const pol = 'permit(principal, action, resource) when { principal.x == principal.x };\npermit(principal, action, resource) when { principal in Group::"g" };\npermit(principal, action, resource) when { principal.x == context.y };';
  const U = (extra) => ({ uid: { type: 'User', id: 'alice' }, attrs: {}, parents: [], ...extra });
  const cases = [
    [U({ attrs: { x: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } })],
    [U({ attrs: { x: { __extn: { fn: 'ip', args: ['1.2.3.4'] } } } })],
    [U({ attrs: { x: { __extn: { fn: 'ip', arg: '1.2.3.4', args: ['1.2.3.4'] } } } })],
    [U({ attrs: { x: { __extn: { fn: 'ip' } } } })],
    [U({ attrs: { x: { __extn: { arg: '1.2.3.4' } } } })],
    [U({ attrs: { x: { __extn: { fn: 'ip', arg: 5 } } } })],
    [U({ attrs: { x: { __extn: { fn: 'decimal', arg: { __extn: { fn: 'decimal', arg: '1.0' } } } } } })],
    [U({ attrs: { x: { __extn: { fn: 'offset', args: [{ __extn: { fn: 'datetime', arg: '2024-01-01' } }] } } } })],
    [U({ attrs: { x: { __extn: { fn: 'offset', arg: { __extn: { fn: 'datetime', arg: '2024-01-01' } } } } } })],
    [U({ attrs: { x: { __extn: { fn: 'isInRange', args: [{ __extn: { fn: 'ip', arg: '1.2.3.4' } }, '10.0.0.0/8'] } } } })],
    [U({ attrs: { x: { __extn: { fn: 'lessThan', args: [{ __extn: { fn: 'decimal', arg: '1.0' } }, { __extn: { fn: 'ip', arg: '1.1.1.1' } }] } } } })],
    [U({ attrs: { x: { __extn: { fn: 'ipaddr', arg: '1.2.3.4' } } } })],
    [U({ attrs: { x: { __extn: 'ip' } } })],
    [U({ attrs: { x: { __extn: null } } })],
    [U({ attrs: { x: { __entity: { type: 'User', id: 'bob' } } } })],
    [U({ attrs: { x: { __entity: { type: 'User', id: 'bob', extra: 1 } } } })],
    [U({ attrs: { x: { __entity: { type: 'User' } } } })],
    [U({ attrs: { x: { __entity: 'User::"bob"' } } })],
    [U({ attrs: { x: { __entity: { type: 'Bad Type', id: 'bob' } } } })],
    [U({ attrs: { x: { __entity: { type: 'User', id: 5 } } } })],
    [U({ attrs: { x: { __entity: null } } })],
    [U({ attrs: { x: { __expr: 'User::"bob"' } } })],
    [U({ attrs: { x: { __cedar: 1 } } })],
    [U({ attrs: { x: { __extnx: 1 } } })],
    [U({ attrs: { x: { type: 'User', id: 'bob' } } })],
    [U({ attrs: { x: [[], [[]], {}] } })],
    [U({ attrs: { x: true } })],
    [U({ attrs: { x: -0 } })],
    [U({ attrs: { x: 1e3 } })],
    [U({ attrs: { x: 9007199254740991 } })],
    [U({ parents: [{ type: 'Group', id: 'g' }, { type: 'Group', id: 'g' }] })],
    [U({ parents: [{ __entity: { type: 'Group', id: 'g' } }] })],
    [U({ parents: [{ __entity: { type: 'Group', id: 'g' }, extra: 1 }] })],
    [U({ parents: [{ type: 'Group', id: 'g', extra: 1 }] })],
    [U({ parents: [{ type: 'Group' }] })],
    [U({ parents: [{ __extn: { fn: 'ip', arg: '1.1.1.1' } }] })],
    [U({ uid: { __entity: { type: 'User', id: 'alice' } } })],
    [U({ uid: { type: 'User', id: 'alice', __entity: { type: 'User', id: 'alice' } } })],
    [U({ uid: { __entity: { type: 'User', id: 'alice' }, type: 'User', id: 'x' } })],
    [U({ tags: { t: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } })],
    [U({ tags: null })],
    [U({ tags: [] })],
    [U({ attrs: [] })],
    [U({ parents: null })],
    [U({ uid: null })],
    [U({ uid: 'User::"alice"' })],
    [U({ uid: { type: 'Action', id: 'alice' }, parents: [{ type: 'Action', id: 'g' }] })],
    [U({ uid: { type: 'Action', id: 'alice' }, parents: [{ type: 'Ns::Action', id: 'g' }] })],
    [U({ uid: { type: 'Ns::Action', id: 'alice' }, parents: [{ type: 'Action', id: 'g' }] })],
    [U({ uid: { type: 'Ns::Action', id: 'alice' }, parents: [{ type: 'Group', id: 'g' }] })],
    [U({ uid: { type: 'Action', id: 'alice' }, attrs: { x: 1 } })],
    [U({ uid: { type: 'Action', id: 'alice' }, tags: { x: 1 } })],
    [U({ uid: { type: 'Action', id: 'x' } }), U({ uid: { type: 'Action', id: 'x' }, attrs: { x: 1 } })],
    [U({ attrs: { x: 1 } }), U({ attrs: { x: 1 }, tags: {} })],
    [U({ attrs: { x: 1 } }), U({ attrs: { x: 1 }, parents: [{ type: 'Group', id: 'g' }] })],
    [U({ attrs: { x: { a: 1, b: 2 } } }), U({ attrs: { x: { b: 2, a: 1 } } })],
    [U({ attrs: { x: [1, 2] } }), U({ attrs: { x: [2, 1] } })],
    [U({ attrs: { x: [1, 1] } }), U({ attrs: { x: [1] } })],
    [U({ attrs: { x: { __extn: { fn: 'decimal', arg: '1.0' } } } }), U({ attrs: { x: { __extn: { fn: 'decimal', arg: '1.00' } } } })],
    [U({ parents: [{ type: 'Group', id: 'g' }] }), { uid: { type: 'Group', id: 'g' }, attrs: {}, parents: [{ type: 'User', id: 'alice' }] }],
    [U({ extra: 1, uid: { type: 'User', id: 'alice' } })],
  ];
  const ctxs = [{ y: 1 }, { y: { __extn: { fn: 'isIpv4', arg: { __extn: { fn: 'ip', arg: '1.2.3.4' } } } } }, { y: { __entity: { type: 'User' } } }, { y: { __extn: null } }, { y: { type: 'User', id: 'alice' } }, { y: [{ __entity: { type: 'User', id: 'bob' } }] }, { y: null }, { y: 1.5 }, { y: { __extn: { fn: 'ip', arg: 'bad' } } }];
  return { pol, U, cases, ctxs };
}

export function runProbes(haven, tmp) {
  const report = [];
  let count = 0;
  let known = 0;
  const dir = join(tmp, 'probe');
  const check = (label, text, ents, ctx) => {
    count++;
    const q = { principal: { type: 'User', id: 'alice' }, action: { type: 'Action', id: 'view' }, resource: { type: 'Doc', id: 'd' }, context: ctx };
    const perr = policyError(text);
    const eerr = perr ? null : entitiesError(ents);
    writeCase(dir, { policiesText: text, entitiesText: JSON.stringify(ents), requestsText: JSON.stringify(q) + '\n' });
    const got = runHaven(haven, dir);
    const exp = perr || eerr ? { reject: perr || eerr } : decideAll(text, ents, [q])[0];
    let bad = null;
    if (exp.reject) {
      if (got.status !== 2) bad = `cedar-wasm rejects (${exp.reject.slice(0, 120)}), haven exit ${got.status} ${got.answers[0] ? answerLine(got.answers[0]) : ''}`;
    } else if (got.status !== 0 || !got.answers[0] || !sameAnswer(exp, got.answers[0])) {
      bad = `expected ${answerLine(exp)}, haven exit ${got.status} ${got.answers[0] ? answerLine(got.answers[0]) : got.stderr.slice(0, 200)}`;
    }
    if (!bad) return;
    const isKnown = KNOWN.has(text);
    if (isKnown) known++;
    report.push({ label, known: isKnown, text: `${bad}: policies ${JSON.stringify(text).slice(0, 200)} entities ${JSON.stringify(ents).slice(0, 200)} context ${JSON.stringify(ctx)}` });
  };
  const ents0 = [{ uid: { type: 'User', id: 'alice' }, attrs: { name: 'Alice', a: { b: 1 } }, parents: [], tags: { t: 1 } }];
  policyProbes().forEach((text, k) => check('policy ' + k, text, ents0, { a: { b: { c: 1 } } }));
  const { pol, U, cases, ctxs } = jsonProbes();
  cases.forEach((ents, k) => check('entities ' + k, pol, ents, { y: 1 }));
  ctxs.forEach((ctx, k) => check('context ' + k, pol, [U({ attrs: { x: 1 } })], ctx));
  return { count, mismatches: report.length - known, known, report };
}
