// Random Cedar cases for differential testing: a policy set, an entity store
// and requests that refer to it, all from one seedable PRNG.
//
// The generator is typed: it mostly builds well-typed expressions over a
// fixed attribute vocabulary so that conditions evaluate to something
// interesting, and with a small probability it builds ill-typed ones, reads
// missing attributes, overflows 64-bit arithmetic or passes invalid strings
// to extension constructors, so that Cedar's error semantics are exercised.
//
// Everything here is pure: the same (seed, batch) gives the same case.

// ---------------------------------------------------------------- PRNG

// sfc32, seeded through splitmix32 from a seed string (e.g. "7:123").
export function makeRng(seedText) {
  let h = 1779033703 ^ seedText.length;
  for (let i = 0; i < seedText.length; i++) {
    h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const split = () => {
    h = (h + 0x9e3779b9) | 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const rng = {
    next,
    int: (n) => Math.floor(next() * n),            // [0, n)
    range: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    // weighted pick: [[w, value], ...]
    wpick: (pairs) => {
      let total = 0;
      for (const [w] of pairs) total += w;
      let x = next() * total;
      for (const [w, v] of pairs) {
        if ((x -= w) < 0) return v;
      }
      return pairs[pairs.length - 1][1];
    },
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [arr[i], arr[j]] = [arr[j], arr[i]];
      }
      return arr;
    },
  };
  return rng;
}

// ---------------------------------------------------------------- vocabulary

const ENTITY_TYPES = ['User', 'Group', 'Doc', 'Folder', 'Ns::Team'];
const ODD_TYPES = ['Action', 'Other', 'Ns::Other', 'A::B::C', 'user'];

const IDS = [
  'alice', 'bob', 'carol', 'dave', 'eve', 'x', '', ' ', 'ü', 'Ünïcödé', '日本', '🦀',
  'a"b', 'back\\slash', 'tab\there', 'new\nline', 'a*b', '*', '\\*', 'x::y',
  '\u0000nul', 'zero\u200bwidth', 'e\u0301', 'é',
];
const ACTION_IDS = ['view', 'edit', 'delete', 'share', 'read', 'write', 'admin', 'all', 'a b', ''];

// Strings used in string positions: names, purposes, patterns' targets.
const STRINGS = [
  '', 'a', 'alice', 'bob', 'Alice', 'ALICE', 'alice@example.com', 'investigation',
  'ICE+ERO', 'ice', 'immigration enforcement', 'case-123', 'a*b', '*', '**', 'a\\b',
  'quote"d', "apos'trophe", 'tab\tsep', 'line\nbreak', 'cr\rx', 'ü', 'üb', 'uber',
  'e\u0301', 'é', '日本語', '🦀', '🦀🦀', 'x\u0000y', '\u007f', 'ß', 'SS', 'İ',
  'red', 'green', 'blue', 'public', 'secret', 'top-secret', 'a.b', 'has', 'in', 'if',
];

// Attribute vocabulary: name -> type. Entities and context use these.
const ENTITY_ATTRS = {
  name: 'string', age: 'long', active: 'bool', level: 'decimal', addr: 'ip',
  created: 'datetime', ttl: 'duration', labels: 'set_string', nums: 'set_long',
  manager: 'entity', owner: 'entity', profile: 'record', members: 'set_entity',
  'odd key': 'string', '': 'long', 'ü': 'bool', 'if': 'long',
};
const CONTEXT_ATTRS = {
  purpose: 'string', n: 'long', flag: 'bool', ip: 'ip', when: 'datetime',
  d: 'duration', dec: 'decimal', tags: 'set_string', nums: 'set_long', rec: 'record',
  ent: 'entity', ents: 'set_entity', 'case number': 'string', 'ünï': 'long', '': 'string',
  recs: 'set_record', sets: 'set_set',
};
// Nested record shape used for `profile` and `rec`.
const RECORD_ATTRS = { nick: 'string', score: 'long', inner: 'record2', ok: 'bool', 'x y': 'string' };
const RECORD2_ATTRS = { deep: 'long', s: 'string', e: 'entity' };
const TAG_KEYS = ['t1', 't2', 'color', 'clearance', '', 'ü', 'odd key'];
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has',
  'principal', 'action', 'resource', 'context', '__cedar']);

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;
const SAFE = 9007199254740991;  // JSON integers must stay exact in JavaScript

const LONG_EDGES = [
  0n, 1n, -1n, 2n, 10n, 100n, 4294967296n, 3037000499n, 3037000500n, -3037000500n,
  4611686018427387904n, -4611686018427387904n, I64_MAX, I64_MIN, I64_MAX - 1n, I64_MIN + 1n,
  9007199254740991n, 9007199254740992n,
];

const VALID_DECIMALS = [
  '0.0', '1.0', '-1.0', '1.5', '0.0001', '-0.0001', '12.34', '1.2345', '100.0',
  '922337203685477.5807', '-922337203685477.5808', '3.1415', '-0.5', '007.5', '0.1000',
  '-0.0', '0.0000', '-922337203685477.5807', '922337203685477.0', '1.1', '1.10', '1.100',
];
const BAD_DECIMALS = [
  '1', '.5', '1.', '1.23456', '922337203685477.5808', '-922337203685477.5809', '+1.0',
  '1.0.0', 'abc', '', ' 1.0', '1e3', '--1.0', '1,5', '99999999999999999.0',
  '-.5', '-1.', '1.0 ', '١.٠', '0x1.0', '1.-1', '922337203685478.0',
];
const VALID_IPS = [
  '127.0.0.1', '10.0.0.1', '10.0.0.0/8', '192.168.1.1', '192.168.1.0/24', '192.168.1.7/24',
  '0.0.0.0', '0.0.0.0/0', '255.255.255.255', '224.0.0.1', '239.255.255.255', '127.255.0.3/16',
  '8.8.8.8', '::1', '::', '::/0', '::1/128', 'ff02::1', 'ff00::/8', '2001:db8::1',
  '2001:db8::/32', 'fe80::1', '1:2:3:4:5:6:7:8',
  '10.1.2.3/32', '127.0.0.1/0', '::ffff:0:0/96', 'FF02::2', '2001:DB8::/48',
  '0.0.0.0/32', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '1::', '0:0:0:0:0:0:0:1', '2001:db8:0:0:1:0:0:1',
  '::1/127', 'ff00::/7', 'fe80::/10', '127.0.0.0/8', '126.255.255.255', '128.0.0.0/1', '224.0.0.0/4',
  '239.0.0.0/8', '225.1.2.3/32', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::2', '0::0/0', '7f00::1',
];
const BAD_IPS = [
  '1.2.3', '256.0.0.1', '1.2.3.4/33', '::1/129', '01.2.3.4', 'fe80::1%eth0', '', 'localhost',
  '1.2.3.4/', '1.2.3.4/-1', ':::', '1::2::3', '1.2.3.4 ', '[::1]', '1.2.3.4/08', '::1/0x10',
  '1.2.3.4/+8', '::/00', '1:2:3:4:5:6:7:8:9', '12345::1', '1.2.3.4/32/1', 'g::1', '0x7f.0.0.1', '127.1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
];
const VALID_DATETIMES = [
  '2024-01-01', '1970-01-01', '2000-02-29', '2024-12-31T23:59:59Z', '2024-06-15T12:30:00Z',
  '2024-06-15T12:30:00.123Z', '2024-06-15T12:30:00+0100', '2024-06-15T12:30:00-0530',
  '2024-06-15T12:30:00.999-2359', '0001-01-01', '9999-12-31T23:59:59.999Z', '1969-12-31T23:59:59Z',
  '2019-07-01', '2025-03-09T02:30:00Z', '2024-02-29T00:00:00+2359', '1900-01-01T00:00:00.001Z',
  '0000-01-01', '1969-12-31', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.001-0001', '2100-02-28',
  '2024-01-01T00:00:00-0000', '1600-02-29T12:00:00Z', '0001-01-01T00:00:00+2359',
];
const BAD_DATETIMES = [
  '2024-13-01', '2023-02-29', '2024-1-1', '24-01-01', '2024-01-01T24:00:00Z', '2024-01-01T23:59:60Z',
  '2024-01-01T00:00:00', '2024-01-01T00:00:00+01:00', '2024-01-01T00:00:00+2400',
  '2024-01-01T00:00:00.12Z', '2024-01-01 00:00:00Z', '', '2024-01-01T00:00:00.1234Z',
  '+2024-01-01', '2024-00-10', '2024-01-32', '2024-01-01T00:00:00+0060', '2024-01-01Z',
  '2100-02-29', '1900-02-29', '2024-01-01t00:00:00z', '2024-01-01T00:00Z', '-0001-01-01', '10000-01-01',
  '2024-01-01T00:00:00.000+01', '2024-04-31', '2024-01-01T00:00:00.Z', ' 2024-01-01',
];
const VALID_DURATIONS = [
  '0ms', '1ms', '1s', '1m', '1h', '1d', '-1d', '1d2h3m4s5ms', '2h30m', '-2h30m', '90m', '36h',
  '1000ms', '106751991167d', '9223372036854775807ms', '-9223372036854775808ms', '0d', '24h',
  '1d1ms', '59s999ms', '365d', '-0ms', '0d0h0m0s0ms', '1d0h', '25h', '61m', '1000s', '-1d1ms',
  '9223372036854775s', '-106751991167d', '2562047788015h', '153722867280912m', '01h',
];
const BAD_DURATIONS = [
  '', '1', 'd', '1h1d', '1d-2h', '1.5h', '1 h', '9223372036854775808ms', '106751991168d',
  '1D', '--1d', '+1d', '1h1h', '1ms1s', '-', '1y', '1w', '9223372036854776s', '2562047788015216h',
  '1d 2h', '1m1h', '2562047788015215h', '1s1m', '-1d-1h', '1µs', '1d2h3m4s5ms6',
];

// ---------------------------------------------------------------- rendering

// A Cedar string literal for s. Non-ASCII and specials are escaped at random
// in one of the forms Cedar accepts, so that the unescaper is exercised.
export function cedarStr(rng, s, inPattern = false) {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '*' && inPattern) out += '\\*';
    else if (ch === '\n') out += rng.chance(0.5) ? '\\n' : '\\u{a}';
    else if (ch === '\t') out += rng.chance(0.5) ? '\\t' : '\\u{0009}';
    else if (ch === '\r') out += '\\r';
    else if (cp === 0) out += rng.chance(0.5) ? '\\0' : '\\u{0}';
    else if (ch === "'" && rng.chance(0.5)) out += "\\'";
    else if (cp < 0x20 || cp === 0x7f) out += '\\u{' + cp.toString(16) + '}';
    else if (cp > 0x7f && rng.chance(0.4)) out += '\\u{' + cp.toString(16) + '}';
    else out += ch;
  }
  return out + '"';
}

function isIdent(s) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !RESERVED.has(s);
}

// Expression nodes carry their text and a precedence level:
// 0 if-then-else, 1 ||, 2 &&, 3 relation, 4 + -, 5 *, 6 unary, 7 member, 8 primary.
const node = (text, prec) => ({ text, prec });
const wrap = (n, min) => (n.prec >= min ? n.text : '(' + n.text + ')');
// Sometimes add parentheses that are not needed.
function wrapR(rng, n, min) {
  return n.prec >= min && !rng.chance(0.1) ? n.text : '(' + n.text + ')';
}

function longLit(v) {
  return v < 0n ? node('-' + (-v).toString(), 6) : node(v.toString(), 8);
}

export function uidText(rng, type, id) {
  return type + '::' + cedarStr(rng, id);
}

// ---------------------------------------------------------------- the world

// A world is the entity store and what the expression generator may refer to.
function makeWorld(rng) {
  const entities = [];  // {type, id, attrs (JSON-able), parents: [{type,id}], tags}
  const byType = {};
  const add = (type, id) => {
    const key = type + '\u0001' + id;
    if (entities.find((e) => e.key === key)) return null;
    const e = { key, type, id, attrs: {}, parents: [], tags: null };
    entities.push(e);
    (byType[type] ||= []).push(e);
    return e;
  };
  const counts = { User: rng.range(2, 5), Group: rng.range(1, 3), Doc: rng.range(1, 4),
    Folder: rng.range(1, 2), 'Ns::Team': rng.range(0, 2) };
  for (const t of Object.keys(counts)) {
    for (let i = 0; i < counts[t]; i++) add(t, rng.pick(IDS));
  }
  // Sometimes a long chain of groups, for deep `in` checks.
  const chain = [];
  if (rng.chance(0.05)) {
    const n = rng.range(10, 40);
    for (let i = 0; i < n; i++) {
      const g = add('Group', 'chain' + i);
      if (g) chain.push(g);
    }
  }
  const actions = [];
  const nActions = rng.range(2, 5);
  for (let i = 0; i < nActions; i++) {
    const a = add('Action', rng.pick(ACTION_IDS));
    if (a) actions.push(a);
  }
  // A DAG: parents only point to entities created earlier in a fixed type
  // order, or to entities that are not in the store at all.
  const parentTypes = {
    User: ['Group', 'Ns::Team', 'User'], Group: ['Group', 'Ns::Team'], 'Ns::Team': ['Ns::Team', 'Group'],
    Doc: ['Folder', 'Doc'], Folder: ['Folder'], Action: ['Action'],
  };
  const order = ['Ns::Team', 'Group', 'Folder', 'Action', 'Doc', 'User'];
  const rank = (e) => order.indexOf(e.type) * 1000 + entities.indexOf(e);
  for (const e of entities) {
    const n = rng.wpick([[3, 0], [4, 1], [2, 2], [1, 3]]);
    for (let i = 0; i < n; i++) {
      const pt = rng.pick(parentTypes[e.type]);
      const cands = (byType[pt] || []).filter((p) => p !== e && rank(p) < rank(e));
      let p;
      if (cands.length && !rng.chance(0.1)) p = rng.pick(cands);
      else p = { type: pt, id: rng.pick(IDS) + (rng.chance(0.5) ? '' : '-ghost') };
      // Avoid a ghost that happens to be a real entity of higher rank (a cycle).
      const real = entities.find((x) => x.type === p.type && x.id === p.id);
      if (real && rank(real) >= rank(e)) continue;
      if (!e.parents.some((q) => q.type === p.type && q.id === p.id)) e.parents.push({ type: p.type, id: p.id });
    }
  }
  for (let i = 1; i < chain.length; i++) chain[i].parents = [{ type: 'Group', id: chain[i - 1].id }];
  const world = { entities, byType, actions };
  for (const e of entities) {
    if (e.type === 'Action') {
      if (rng.chance(0.3)) e.attrs.risk = jsonValue(rng, world, 'long', 1);
      continue;
    }
    for (const [name, ty] of Object.entries(ENTITY_ATTRS)) {
      if (!rng.chance(name.length > 1 && isIdent(name) ? 0.35 : 0.1)) continue;
      e.attrs[name] = jsonValue(rng, world, rng.chance(0.06) ? randomType(rng) : ty, 2);
    }
    if (rng.chance(0.35)) {
      e.tags = {};
      const n = rng.range(1, 3);
      for (let i = 0; i < n; i++) {
        e.tags[rng.pick(TAG_KEYS)] = jsonValue(rng, world, rng.pick(['string', 'string', 'long', 'bool', 'set_string', 'ip']), 1);
      }
    }
  }
  return world;
}

const ALL_TYPES = ['bool', 'long', 'string', 'entity', 'decimal', 'ip', 'datetime', 'duration',
  'set_string', 'set_long', 'set_entity', 'record'];
function randomType(rng) { return rng.pick(ALL_TYPES); }

function randomUid(rng, world, pExisting = 0.85) {
  if (rng.chance(pExisting) && world.entities.length) {
    const e = rng.pick(world.entities);
    return { type: e.type, id: e.id };
  }
  return { type: rng.pick([...ENTITY_TYPES, ...ODD_TYPES]), id: rng.pick(IDS) };
}

function uidJson(rng, u) {
  // Entity references in JSON: both the escaped and the bare form.
  return rng.chance(0.5) ? { __entity: { type: u.type, id: u.id } } : { type: u.type, id: u.id };
}

function safeLong(rng) {
  return rng.wpick([
    [6, () => rng.range(-5, 120)],
    [1, () => rng.pick([SAFE, -SAFE, 2147483647, -2147483648, 4294967296, 0])],
    [1, () => Math.floor((rng.next() * 2 - 1) * SAFE)],
  ])();
}

// A JSON value (entity attribute, tag or context) of a Cedar type. Integers
// stay within the range JavaScript represents exactly.
function jsonValue(rng, world, ty, depth) {
  switch (ty) {
    case 'bool':
      // `__extn` may call any extension function, not only constructors.
      if (rng.chance(0.03)) {
        return rng.pick([
          () => ({ __extn: { fn: rng.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast']), arg: { __extn: { fn: 'ip', arg: rng.pick(VALID_IPS) } } } }),
          () => ({ __extn: { fn: rng.pick(['lessThan', 'greaterThanOrEqual']), args: [{ __extn: { fn: 'decimal', arg: rng.pick(VALID_DECIMALS) } }, { __extn: { fn: 'decimal', arg: rng.pick(VALID_DECIMALS) } }] } }),
          () => ({ __extn: { fn: 'isInRange', args: [{ __extn: { fn: 'ip', arg: rng.pick(VALID_IPS) } }, { __extn: { fn: 'ip', arg: rng.pick(VALID_IPS) } }] } }),
        ])();
      }
      return rng.chance(0.5);
    case 'long': return safeLong(rng);
    case 'string': return rng.pick(STRINGS);
    case 'entity': return { __entity: (({ type, id }) => ({ type, id }))(randomUid(rng, world)) };
    case 'decimal':
      // The multi-argument form `args` is accepted too.
      if (rng.chance(0.05)) return { __extn: { fn: 'decimal', args: [rng.pick(VALID_DECIMALS)] } };
      return { __extn: { fn: 'decimal', arg: rng.pick(VALID_DECIMALS) } };
    case 'ip': return { __extn: { fn: 'ip', arg: rng.pick(VALID_IPS) } };
    case 'datetime':
      // An extension call that is not a constructor: offset(datetime, duration).
      if (rng.chance(0.05)) {
        return { __extn: { fn: 'offset', args: [{ __extn: { fn: 'datetime', arg: rng.pick(VALID_DATETIMES.slice(0, 12)) } },
          { __extn: { fn: 'duration', arg: rng.pick(['1h', '-1d', '0ms', '36h', '1d2h3m4s5ms']) } }] } };
      }
      return { __extn: { fn: 'datetime', arg: rng.pick(VALID_DATETIMES) } };
    case 'duration':
      if (rng.chance(0.03)) return { __extn: { fn: 'toTime', arg: { __extn: { fn: 'datetime', arg: rng.pick(VALID_DATETIMES) } } } };
      return { __extn: { fn: 'duration', arg: rng.pick(VALID_DURATIONS) } };
    case 'set_string': return Array.from({ length: rng.range(0, 3) }, () => rng.pick(STRINGS));
    case 'set_long': {
      const a = Array.from({ length: rng.range(0, 3) }, () => safeLong(rng));
      if (a.length && rng.chance(0.1)) a.push(a[0]);  // duplicates collapse
      return a;
    }
    case 'set_entity': return Array.from({ length: rng.range(0, 3) }, () => ({ __entity: randomUid(rng, world) }));
    case 'set_record': return Array.from({ length: rng.range(0, 3) }, () => jsonValue(rng, world, 'record2', 0));
    case 'set_set': return Array.from({ length: rng.range(0, 3) }, () => jsonValue(rng, world, rng.pick(['set_long', 'set_string']), 0));
    case 'record':
    case 'record2': {
      const shape = ty === 'record' ? RECORD_ATTRS : RECORD2_ATTRS;
      // Records that look like escapes but are not: cedar-wasm reads them as
      // plain records.
      if (rng.chance(0.03)) {
        return rng.pick([
          () => ({ type: 'User', id: rng.pick(IDS) }),
          () => ({ __entity: { type: 'User' } }),
          () => ({ __extn: { fn: 'ip', arg: '1.2.3.4' }, nick: 'x' }),
          () => ({ __entity: { type: 'User', id: 'alice' }, score: 1 }),
        ])();
      }
      const r = {};
      for (const [k, t] of Object.entries(shape)) {
        if (rng.chance(0.7) || depth <= 0) {
          if (depth <= 0 && t.startsWith('record')) continue;
          r[k] = jsonValue(rng, world, t, depth - 1);
        }
      }
      return r;
    }
    default: throw new Error('jsonValue: ' + ty);
  }
}

// ---------------------------------------------------------------- expressions

class ExprGen {
  constructor(rng, world) {
    this.rng = rng;
    this.world = world;
  }

  uidLit(pExisting = 0.85) {
    const u = randomUid(this.rng, this.world, pExisting);
    return node(uidText(this.rng, u.type, u.id), 8);
  }

  // Access attribute `name` of `base` with . or [""] (or has-style quoting).
  access(base, name) {
    const rng = this.rng;
    if (RESERVED.has(name) && rng.chance(0.01)) return node(wrap(base, 7) + '.' + name, 7);  // rejected
    if (isIdent(name) && rng.chance(0.75)) return node(wrap(base, 7) + '.' + name, 7);
    return node(wrap(base, 7) + '[' + cedarStr(rng, name) + ']', 7);
  }

  // Something of type ty read from the request or the entities.
  source(ty) {
    const rng = this.rng;
    const opts = [];
    for (const [k, t] of Object.entries(ENTITY_ATTRS)) if (t === ty) opts.push(['ent', k]);
    for (const [k, t] of Object.entries(CONTEXT_ATTRS)) if (t === ty) opts.push(['ctx', k]);
    for (const [k, t] of Object.entries(RECORD_ATTRS)) if (t === ty) opts.push(['rec', k]);
    for (const [k, t] of Object.entries(RECORD2_ATTRS)) if (t === ty) opts.push(['rec2', k]);
    if (!opts.length) return null;
    const [where, k] = rng.pick(opts);
    if (where === 'ent') return this.access(this.entityExpr(1), k);
    if (where === 'ctx') return this.access(node('context', 8), k);
    if (where === 'rec') return this.access(this.recordSource(), k);
    return this.access(this.access(this.recordSource(), 'inner'), k);
  }

  recordSource() {
    return this.rng.pick([
      () => this.access(node('context', 8), 'rec'),
      () => this.access(this.entityExpr(0), 'profile'),
    ])();
  }

  entityExpr(d) {
    const rng = this.rng;
    return rng.wpick([
      [5, () => node('principal', 8)],
      [4, () => node('resource', 8)],
      [1, () => node('action', 8)],
      [2, () => this.uidLit()],
      [d > 0 ? 1 : 0, () => this.access(this.entityExpr(d - 1), rng.pick(['manager', 'owner']))],
      [d > 0 ? 1 : 0, () => this.access(node('context', 8), 'ent')],
    ])();
  }

  // Main entry: an expression of type ty, depth budget d.
  gen(ty, d) {
    const rng = this.rng;
    // Occasionally a wrong type, to exercise type errors.
    if (rng.chance(0.025)) ty = randomType(rng);
    if (d <= 0 || rng.chance(0.15)) return this.leaf(ty);
    switch (ty) {
      case 'bool': return this.genBool(d);
      case 'long': return this.genLong(d);
      case 'string': return this.genString(d);
      case 'entity': return rng.chance(0.8) ? this.entityExpr(1) : this.common('entity', d);
      case 'decimal': return this.genExt('decimal', d);
      case 'ip': return this.genExt('ip', d);
      case 'datetime': return this.genDatetime(d);
      case 'duration': return this.genDuration(d);
      case 'set_string': case 'set_long': case 'set_entity': return this.genSet(ty, d);
      case 'record': case 'record2': return this.genRecord(ty, d);
      default: throw new Error('gen ' + ty);
    }
  }

  // Productions every type has: if-then-else, getTag, attribute of a record literal.
  common(ty, d) {
    const rng = this.rng;
    return rng.wpick([
      [3, () => node('if ' + this.gen('bool', d - 1).text + ' then ' + this.gen(ty, d - 1).text +
        ' else ' + this.gen(ty, d - 1).text, 0)],
      [2, () => node(wrap(this.entityExpr(1), 7) + '.getTag(' + this.tagKey(d) .text + ')', 7)],
      [1, () => {
        const k = rng.pick(['a', 'b', 'odd key', '']);
        const rec = node('{' + cedarStr(rng, k) + ': ' + this.gen(ty, d - 1).text + '}', 8);
        return this.access(rec, rng.chance(0.9) ? k : 'zz');
      }],
      [3, () => this.source(ty) || this.leaf(ty)],
    ])();
  }

  tagKey(d) {
    const rng = this.rng;
    if (rng.chance(0.8)) return node(cedarStr(rng, rng.pick(TAG_KEYS)), 8);
    return this.gen('string', Math.min(d - 1, 1));
  }

  leaf(ty) {
    const rng = this.rng;
    switch (ty) {
      case 'bool':
        return rng.wpick([
          [2, () => node(rng.chance(0.5) ? 'true' : 'false', 8)],
          [2, () => this.source('bool')],
          [2, () => this.hasExpr()],
        ])();
      case 'long':
        return rng.chance(0.5) ? this.longLiteral() : this.source('long');
      case 'string':
        return rng.chance(0.5) ? node(cedarStr(rng, rng.pick(STRINGS)), 8) : this.source('string');
      case 'entity': return this.entityExpr(0);
      case 'decimal': case 'ip': return rng.chance(0.5) ? this.extLit(ty) : this.source(ty);
      case 'datetime': case 'duration': return rng.chance(0.5) ? this.extLit(ty) : this.source(ty);
      case 'set_string': case 'set_long': case 'set_entity':
        return rng.chance(0.5) ? this.genSet(ty, 0) : this.source(ty);
      case 'record': case 'record2':
        return rng.chance(0.3) ? node('context', 8) : (this.source(ty) || this.genRecord(ty, 0));
      default: throw new Error('leaf ' + ty);
    }
  }

  longLiteral() {
    const rng = this.rng;
    if (rng.chance(0.3)) return longLit(rng.pick(LONG_EDGES));
    return longLit(BigInt(rng.range(-10, 100)));
  }

  extLit(ty) {
    const rng = this.rng;
    const bad = rng.chance(0.08);
    const [fn, pool] = {
      decimal: ['decimal', bad ? BAD_DECIMALS : VALID_DECIMALS],
      ip: [rng.chance(0.99) ? 'ip' : 'ipaddr', bad ? BAD_IPS : VALID_IPS],
      datetime: ['datetime', bad ? BAD_DATETIMES : VALID_DATETIMES],
      duration: ['duration', bad ? BAD_DURATIONS : VALID_DURATIONS],
    }[ty];
    // Extension constructors take a string; rarely give them something else.
    const arg = rng.chance(0.02) ? this.gen('string', 1).text : cedarStr(rng, rng.pick(pool));
    return node(fn + '(' + arg + ')', 8);
  }

  hasExpr() {
    const rng = this.rng;
    const attrName = () => rng.pick([...Object.keys(ENTITY_ATTRS), 'missing', 'nick', 'inner']);
    return rng.wpick([
      [4, () => this.hasOn(this.entityExpr(1), attrName())],
      [3, () => this.hasOn(node('context', 8), rng.pick([...Object.keys(CONTEXT_ATTRS), 'missing']))],
      // attribute paths: `e has a.b.c` (Cedar 4.x)
      [3, () => {
        const base = rng.chance(0.5) ? this.entityExpr(0) : node('context', 8);
        const first = base.text === 'context' ? 'rec' : 'profile';
        const path = [rng.chance(0.9) ? first : 'name', rng.pick(['nick', 'inner', 'score', 'ok', 'zz'])];
        if (path[1] === 'inner' && rng.chance(0.6)) path.push(rng.pick(['deep', 's', 'e', 'zz']));
        return node(wrap(base, 4) + ' has ' + path.join('.'), 3);
      }],
      [1, () => this.hasOn(this.gen('record', 1), rng.pick(['a', 'nick', 'score', 'x y']))],
    ])();
  }

  hasOn(base, name) {
    const rng = this.rng;
    const attr = isIdent(name) && rng.chance(0.8) ? name : cedarStr(rng, name);
    return node(wrap(base, 4) + ' has ' + attr, 3);
  }

  cmpOperand(ty, d) { return this.gen(ty, d); }

  genBool(d) {
    const rng = this.rng;
    const g = (t) => this.gen(t, d - 1);
    return rng.wpick([
      [6, () => node(wrap(g('bool'), 2) + ' && ' + wrapR(rng, g('bool'), 3), 2)],
      [5, () => node(wrap(g('bool'), 1) + ' || ' + wrapR(rng, g('bool'), 2), 1)],
      [3, () => {
        const n = rng.wpick([[8, 1], [2, 2], [1, 3], [1, 4], [0.05, 5]]);
        return node('!'.repeat(n) + wrap(g('bool'), 7), 6);
      }],
      [5, () => {
        const t = rng.pick(['long', 'long', 'long', 'datetime', 'duration']);
        return node(wrap(g(t), 4) + ' ' + rng.pick(['<', '<=', '>', '>=']) + ' ' + wrap(g(t), 4), 3);
      }],
      [6, () => {
        const t = rng.chance(0.9) ? randomType(rng) : null;
        const l = g(t || randomType(rng)), r = g(t || randomType(rng));
        return node(wrap(l, 4) + (rng.chance(0.7) ? ' == ' : ' != ') + wrap(r, 4), 3);
      }],
      [6, () => {  // in
        const l = this.entityExpr(1);
        const r = rng.wpick([
          [4, () => this.entityExpr(1)],
          [2, () => this.genSet('set_entity', d - 1)],
          [1, () => this.source('set_entity')],
        ])();
        return node(wrap(l, 4) + ' in ' + wrap(r, 4), 3);
      }],
      [5, () => this.hasExpr()],
      [5, () => this.likeExpr(d)],
      [4, () => {  // is, is ... in
        const ty = rng.chance(0.85) ? rng.pick(ENTITY_TYPES.concat(['Action'])) : rng.pick(ODD_TYPES);
        let t = wrap(this.entityExpr(1), 4) + ' is ' + ty;
        if (rng.chance(0.4)) {
          const r = rng.chance(0.8) ? this.entityExpr(1) : this.genSet('set_entity', d - 1);
          t += ' in ' + wrap(r, 4);
        }
        return node(t, 3);
      }],
      [6, () => this.setMethod(d)],
      [3, () => node(wrap(this.entityExpr(1), 7) + '.hasTag(' + this.tagKey(d).text + ')', 7)],
      [4, () => this.extPredicate(d)],
      [3, () => this.common('bool', d)],
      [0.3, () => this.deep()],
    ])();
  }

  // Deep but legal nesting (cedar-wasm itself overflows its stack somewhere
  // past 100 nested parentheses, so stay well below that).
  deep() {
    const rng = this.rng;
    const n = rng.range(5, 40);
    return rng.wpick([
      [1, () => node('('.repeat(n) + this.gen('bool', 1).text + ')'.repeat(n), 8)],
      [1, () => node(Array.from({ length: n }, () => wrap(this.gen('bool', 0), 3)).join(rng.pick([' && ', ' || '])), 1)],
      [1, () => node('-('.repeat(n) + this.gen('long', 0).text + ')'.repeat(n) + ' != 0', 3)],
      [1, () => node('['.repeat(n) + ']'.repeat(n) + ' == ' + '['.repeat(n) + ']'.repeat(n), 3)],
      [1, () => {
        let t = this.gen('long', 0).text;
        for (let i = 0; i < n; i++) t = '{a: ' + t + '}';
        return node(t + '.a'.repeat(rng.range(1, n)) + ' == 1', 3);
      }],
      [1, () => node('if '.repeat(1) + Array.from({ length: Math.min(n, 20) }, () => this.gen('bool', 0).text).join(' then (if ') +
        ' then true else false' + ')  else false'.repeat(Math.min(n, 20) - 1), 0)],
    ])();
  }

  likeExpr(d) {
    const rng = this.rng;
    const subject = rng.chance(0.6) ? this.gen('string', d - 1) : node(cedarStr(rng, rng.pick(STRINGS)), 8);
    // Pattern: derived from a likely target, with wildcards, escaped stars and mutations.
    let target = rng.pick(STRINGS);
    const elems = [];
    let i = 0;
    const chars = Array.from(target);
    while (i < chars.length) {
      const r = rng.next();
      if (r < 0.15) { elems.push('*'); i += rng.range(0, 3); }
      else if (r < 0.2) { elems.push('*'); }
      else if (r < 0.23) { elems.push(rng.pick(['x', '*', '\\', 'ü'])); i++; }
      else { elems.push({ lit: chars[i] }); i++; }
    }
    if (rng.chance(0.2)) elems.unshift('*');
    if (rng.chance(0.2)) elems.push('*');
    if (rng.chance(0.05)) elems.push('*', '*');
    let pat = '"';
    for (const e of elems) {
      if (e === '*') pat += '*';
      else {
        const lit = typeof e === 'string' ? e : e.lit;
        pat += cedarStr(rng, lit, true).slice(1, -1);
      }
    }
    pat += '"';
    return node(wrap(subject, 4) + ' like ' + pat, 3);
  }

  setMethod(d) {
    const rng = this.rng;
    if (rng.chance(0.1)) {
      // Sets of records and of sets: deep equality inside contains.
      const which = rng.pick(['recs', 'sets']);
      const base = this.access(node('context', 8), which);
      const arg = which === 'recs' ? this.genRecord('record2', 0).text : this.gen(rng.pick(['set_long', 'set_string']), 0).text;
      return node(wrap(base, 7) + '.' + rng.pick(['contains', 'contains', 'containsAny', 'containsAll']) + '(' +
        (rng.chance(0.5) && which !== 'sets' ? arg : '[' + arg + ']') + ')', 7);
    }
    const st = rng.pick(['set_string', 'set_long', 'set_entity']);
    const elt = st.slice(4);
    const s = wrap(this.gen(st, d - 1), 7);
    return rng.wpick([
      [3, () => node(s + '.contains(' + this.gen(elt, d - 1).text + ')', 7)],
      [2, () => node(s + '.containsAll(' + this.gen(st, d - 1).text + ')', 7)],
      [2, () => node(s + '.containsAny(' + this.gen(st, d - 1).text + ')', 7)],
      [1, () => node(s + '.isEmpty()', 7)],
    ])();
  }

  extPredicate(d) {
    const rng = this.rng;
    const g = (t) => wrap(this.gen(t, d - 1), 7);
    return rng.wpick([
      [3, () => node(g('ip') + '.' + rng.pick(['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast']) + '()', 7)],
      [3, () => node(g('ip') + '.isInRange(' + this.gen('ip', d - 1).text + ')', 7)],
      [3, () => node(g('decimal') + '.' + rng.pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']) +
        '(' + this.gen('decimal', d - 1).text + ')', 7)],
      // Function-call style for methods is not Cedar; keep the method forms only.
    ])();
  }

  genLong(d) {
    const rng = this.rng;
    const g = () => this.gen('long', d - 1);
    return rng.wpick([
      [4, () => node(wrap(g(), 4) + ' ' + rng.pick(['+', '-']) + ' ' + wrap(g(), 5), 4)],
      [3, () => node(wrap(g(), 5) + ' * ' + wrap(g(), 6), 5)],
      [2, () => {
        const n = rng.wpick([[8, 1], [2, 2], [1, 4]]);
        const inner = g();
        // `- -` with a space, or `--`: both are unary minus twice.
        return node((rng.chance(0.5) ? '-'.repeat(n) : Array(n).fill('-').join(' ')) + wrap(inner, 7), 6);
      }],
      [3, () => node(wrap(this.gen('duration', d - 1), 7) + '.' +
        rng.pick(['toDays', 'toHours', 'toMinutes', 'toSeconds', 'toMilliseconds']) + '()', 7)],
      [3, () => this.longLiteral()],
      [2, () => {  // arithmetic right at the 64-bit limits
        const e = rng.pick(LONG_EDGES.slice(10));
        const op = rng.pick(['+', '-', '*']);
        return node(wrap(longLit(e), 4) + ' ' + op + ' ' + wrap(rng.chance(0.5) ? longLit(rng.pick([1n, -1n, 2n, 0n])) : g(), 5), op === '*' ? 4 : 4);
      }],
      [4, () => this.common('long', d)],
    ])();
  }

  genString(d) {
    const rng = this.rng;
    return rng.wpick([
      [3, () => node(cedarStr(rng, rng.pick(STRINGS)), 8)],
      [4, () => this.common('string', d)],
    ])();
  }

  genExt(ty, d) {
    const rng = this.rng;
    return rng.chance(0.6) ? this.extLit(ty) : this.common(ty, d);
  }

  genDatetime(d) {
    const rng = this.rng;
    return rng.wpick([
      [4, () => this.extLit('datetime')],
      [3, () => node(wrap(this.gen('datetime', d - 1), 7) + '.offset(' + this.gen('duration', d - 1).text + ')', 7)],
      [2, () => node(wrap(this.gen('datetime', d - 1), 7) + '.toDate()', 7)],
      [3, () => this.common('datetime', d)],
    ])();
  }

  genDuration(d) {
    const rng = this.rng;
    return rng.wpick([
      [4, () => this.extLit('duration')],
      [3, () => node(wrap(this.gen('datetime', d - 1), 7) + '.durationSince(' + this.gen('datetime', d - 1).text + ')', 7)],
      [2, () => node(wrap(this.gen('datetime', d - 1), 7) + '.toTime()', 7)],
      [3, () => this.common('duration', d)],
    ])();
  }

  genSet(ty, d) {
    const rng = this.rng;
    const elt = ty.slice(4);
    if (d > 0 && rng.chance(0.3)) return this.common(ty, d);
    const n = rng.wpick([[2, 0], [4, 1], [4, 2], [2, 3], [1, 4]]);
    const items = [];
    for (let i = 0; i < n; i++) {
      // Heterogeneous sets are legal Cedar; make a few.
      items.push(this.gen(rng.chance(0.05) ? randomType(rng) : elt, Math.max(0, d - 1)).text);
    }
    return node('[' + items.join(', ') + ']', 8);
  }

  genRecord(ty, d) {
    const rng = this.rng;
    if (d > 0 && rng.chance(0.3)) return this.common('record', d);
    const shape = ty === 'record2' ? RECORD2_ATTRS : RECORD_ATTRS;
    const parts = [];
    for (const [k, t] of Object.entries(shape)) {
      if (!rng.chance(0.6)) continue;
      if (t === 'record2' && d <= 0) continue;
      const key = isIdent(k) && rng.chance(0.6) ? k : cedarStr(rng, k);
      parts.push(key + ': ' + this.gen(t, Math.max(0, d - 1)).text);
    }
    return node('{' + parts.join(', ') + '}', 8);
  }
}

// ---------------------------------------------------------------- policies

function scopeVar(rng, g, world, v) {
  // Mostly entities of the types requests use in that position, so that
  // scopes match often enough to be interesting.
  const pref = v === 'principal' ? ['User', 'User', 'Group', 'Ns::Team'] : ['Doc', 'Doc', 'Folder'];
  const uid = () => {
    const pool = pref.flatMap((t) => world.byType[t] || []);
    if (pool.length && rng.chance(0.8)) {
      const e = rng.pick(pool);
      return uidText(rng, e.type, e.id);
    }
    return g.uidLit(0.8).text;
  };
  const ty = () => (rng.chance(0.85) ? rng.pick(pref.concat(ENTITY_TYPES)) : rng.pick(ODD_TYPES));
  return rng.wpick([
    [6, () => v],
    [3, () => v + ' == ' + uid()],
    [3, () => v + ' in ' + uid()],
    [2, () => v + ' is ' + ty()],
    [2, () => v + ' is ' + ty() + ' in ' + uid()],
  ])();
}

function actionScope(rng, world) {
  const aUid = () => {
    if (world.actions.length && rng.chance(0.85)) return uidText(rng, 'Action', rng.pick(world.actions).id);
    return uidText(rng, rng.chance(0.9) ? 'Action' : 'Ns::Action', rng.pick(ACTION_IDS));
  };
  return rng.wpick([
    [6, () => 'action'],
    [3, () => 'action == ' + aUid()],
    [2, () => 'action in ' + aUid()],
    [3, () => 'action in [' + Array.from({ length: rng.wpick([[1, 0], [4, 1], [4, 2], [2, 3]]) }, aUid).join(', ') + ']'],
  ])();
}

const ANNOTATION_KEYS = ['id', 'advice', 'sealed', 'reason', 'name', 'x_y', 'a1'];

// Known-invalid variants of a policy, applied rarely: cedar-wasm rejects
// them, and the runner checks that Haven rejects them too.
const BREAKERS = [
  (t) => t.replace(/^(permit|forbid)\(/m, '$1(principal, action);('),
  (t) => '@dup("a") @dup("b") ' + t,
  (t) => t.replace(/, action/, ', action is Action'),
  (t) => t.replace(/^(permit|forbid)\(principal/m, '$1(principal in [User::"a"]'),
  (t) => t.replace(/;$/, ' when { "a\\*" == "a" };'),
  (t) => t.replace(/;$/, ' when { ipaddr("1.2.3.4").isIpv4() };'),
  (t) => t.replace(/;$/, ' when { principal.foo() };'),
  (t) => t.replace(/;$/, ' when { "\\q" == "q" };'),
  (t) => t.replace(/;$/, ' when { 1 == 1 == 1 };'),
  (t) => t.replace(/;$/, ' when { 9223372036854775808 > 0 };'),
  (t) => t.replace(/;$/, ' when { {a: 1, a: 2} == {} };'),
  (t) => t.replace(/;$/, ' when { -----1 < 0 };'),
  (t) => t.replace(/;$/, ' when { };'),
  (t) => t.replace(/;$/, ' whenever { true };'),
  (t) => t.replace(/;$/, ''),
  (t) => t.replace(/;$/, ' when { principal has a.if };'),
  (t) => t.replace(/;$/, ' when { context.is };'),
  (t) => t.replace(/;$/, ' when { User::"a" is User::"b" };'),
  (t) => t.replace(/;$/, ' when { principal like "x" || ?principal == User::"a" };'),
  (t) => t.replace(/;$/, ' when { [1, 2].contains() };'),
  (t) => t.replace(/;$/, ' when { decimal("1.0", "2.0") == decimal("1.0") };'),
  (t) => t.replace(/;$/, ' when { Foo::"a" == foo::bar::"a" && true };').replace('foo::bar', '1foo'),
  (t) => t.replace(/;$/, ' when { "unterminated };'),
  (t) => t.replace(/;$/, ' when { "\\u{110000}" == "" };'),
];

export function genPolicy(rng, world, depth) {
  const text = genPolicy1(rng, world, depth);
  return rng.chance(0.02) ? rng.pick(BREAKERS)(text) : text;
}

// The structure of each generated policy text (effect, the three scope
// constraints, the clauses), for reference.mjs's batched evaluation. Cleared
// by genBatch.
export const POLICY_PARTS = new Map();

function genPolicy1(rng, world, depth) {
  const g = new ExprGen(rng, world);
  let text = '';
  const nAnn = rng.wpick([[6, 0], [3, 1], [1, 2]]);
  const keys = rng.shuffle(ANNOTATION_KEYS.slice()).slice(0, nAnn);
  for (const k of keys) {
    text += '@' + k + (rng.chance(0.8) ? '(' + cedarStr(rng, rng.pick(STRINGS)) + ')' : '') + (rng.chance(0.5) ? '\n' : ' ');
  }
  const effect = rng.chance(0.72) ? 'permit' : 'forbid';
  const scopes = [scopeVar(rng, g, world, 'principal'), actionScope(rng, world), scopeVar(rng, g, world, 'resource')];
  text += effect + '(' + scopes.join(', ') + ')';
  const nCond = rng.wpick([[2, 0], [7, 1], [2, 2], [1, 3]]);
  const conds = [];
  for (let i = 0; i < nCond; i++) {
    const kw = rng.chance(0.75) ? 'when' : 'unless';
    const body = g.gen('bool', depth).text;
    conds.push([kw, body]);
    text += '\n  ' + kw + ' { ' + body + ' }';
  }
  text += ';';
  POLICY_PARTS.set(text, { effect, scopes, conds });
  return text;
}

// ---------------------------------------------------------------- requests

function genContext(rng, world) {
  const ctx = {};
  for (const [k, t] of Object.entries(CONTEXT_ATTRS)) {
    if (!rng.chance(0.75)) continue;
    ctx[k] = jsonValue(rng, world, rng.chance(0.05) ? randomType(rng) : t, 2);
  }
  return ctx;
}

function requestUid(rng, world, preferred) {
  const pool = preferred.flatMap((t) => world.byType[t] || []);
  if (pool.length && rng.chance(0.8)) {
    const e = rng.pick(pool);
    return { type: e.type, id: e.id };
  }
  return randomUid(rng, world, 0.7);
}

export function genRequest(rng, world) {
  return {
    principal: requestUid(rng, world, ['User', 'User', 'Ns::Team']),
    action: world.actions.length && rng.chance(0.9)
      ? (({ type, id }) => ({ type, id }))(rng.pick(world.actions))
      : rng.chance(0.7) ? { type: 'Action', id: rng.pick(ACTION_IDS) } : randomUid(rng, world, 0.5),
    resource: requestUid(rng, world, ['Doc', 'Doc', 'Folder']),
    context: genContext(rng, world),
  };
}

export function entitiesJson(rng, world) {
  return world.entities.map((e) => {
    let o = { uid: uidJson(rng, e), attrs: e.attrs, parents: e.parents.map((p) => uidJson(rng, p)) };
    if (e.tags) o.tags = e.tags;
    else if (rng.chance(0.1)) o.tags = {};
    if (rng.chance(0.2)) o = Object.fromEntries(rng.shuffle(Object.entries(o)));
    // cedar-wasm ignores unknown fields here; so must Haven.
    if (rng.chance(0.01)) o.comment = 'extra field';
    if (rng.chance(0.01)) o.uid = { type: e.type, id: e.id, note: 'extra key' };
    return o;
  });
}

// Known-invalid entity stores (cedar-wasm rejects each): given a clean
// list, return a broken copy.
const ENTITY_BREAKERS = [
  (es) => { const e = structuredClone(es[0]); e.attrs = { ...e.attrs, zz_dup: 1 }; return [...es, e]; },  // same uid, other content
  (es) => { const e = structuredClone(es[0]); e.parents = [...e.parents, e.uid.__entity || e.uid]; return [e, ...es.slice(1)]; },  // self-cycle
  (es) => [...es, { uid: { type: 'Action', id: 'zz' }, attrs: {}, parents: [{ type: 'Group', id: 'g' }] }],  // action with a non-action parent
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: null, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: { x: 1.5 }, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: { x: null }, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: { x: { __extn: { fn: 'ip', arg: 'not an ip' } } }, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: { x: { __extn: { fn: 'nosuchfn', arg: '1' } } }, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: {}, parents: [], tags: { t: { __extn: { fn: 'decimal', arg: '1.23456' } } } }],
  (es) => [...es, { uid: { type: 'user name', id: 'zz' }, attrs: {}, parents: [] }],
  (es) => [...es, { uid: { type: ' User', id: 'zz' }, attrs: {}, parents: [] }],
  (es) => [...es, { uid: { type: '__cedar::User', id: 'zz' }, attrs: {}, parents: [] }],
  (es) => [...es, { uid: { type: 'User' }, attrs: {}, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 7 }, attrs: {}, parents: [] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: {}, parents: {} }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: {}, parents: ['User::"a"'] }],
  (es) => [...es, { uid: { type: 'User', id: 'zz' }, attrs: { x: { __entity: { type: 'User', id: 'a' }, __extn: { fn: 'ip', arg: '1.1.1.1' } } }, parents: [] }],
];

// ---------------------------------------------------------------- batches

// One batch: policies (array of policy texts, each to be kept or dropped
// separately), entities (JSON array) and nRequests requests.
export function genBatch(seed, batchIndex, nRequests) {
  POLICY_PARTS.clear();
  const rng = makeRng(seed + ':' + batchIndex);
  const world = makeWorld(rng);
  // Mostly a handful of policies; sometimes many shallow ones, where the
  // engine's policy index decides which to evaluate.
  const many = rng.chance(0.08);
  const nPolicies = many ? rng.range(30, 80) : rng.wpick([[1, 1], [3, 3], [4, 6], [3, 10], [1, 16]]);
  const depth = many ? rng.range(0, 2) : rng.wpick([[2, 2], [4, 3], [2, 4], [1, 5]]);
  const policies = [];
  for (let i = 0; i < nPolicies; i++) policies.push(genPolicy(rng, world, depth));
  const entities = entitiesJson(rng, world);
  // Identical duplicate entries are accepted.
  if (entities.length && rng.chance(0.02)) entities.push(structuredClone(rng.pick(entities)));
  const brokenEntities = entities.length && rng.chance(0.03) ? rng.pick(ENTITY_BREAKERS)(entities) : null;
  const requests = [];
  for (let i = 0; i < nRequests; i++) requests.push(genRequest(rng, world));
  return { rng, policies, entities, brokenEntities, requests };
}

// Serialise JSON for Haven, escaping some non-ASCII characters and slashes
// as \uXXXX (surrogate pairs for astral characters) to exercise its reader.
export function oddJson(rng, value) {
  const text = JSON.stringify(value);
  if (!rng.chance(0.5)) return text;
  const esc = (u) => '\\u' + (rng.chance(0.5) ? u.toString(16).padStart(4, '0') : u.toString(16).padStart(4, '0').toUpperCase());
  return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\u0080-\uffff]|\//g, (ch) => {
    if (!rng.chance(0.5)) return ch;
    if (ch === '/') return '\\/';
    let out = '';
    for (let i = 0; i < ch.length; i++) out += esc(ch.charCodeAt(i));
    return out;
  });
}

// Join policy texts into one file, with comments and blank lines between.
export function policySetText(rng, policies) {
  let out = '';
  for (const p of policies) {
    if (rng && rng.chance(0.2)) out += '// ' + rng.pick(['note', 'policy', 'üñí', 'a "quoted" ; comment', 'permit(principal, action, resource);']) + '\n';
    out += p + '\n' + (rng && rng.chance(0.3) ? '\n' : '');
  }
  if (rng && rng.chance(0.1)) out = out.replace(/\n/g, '\r\n');
  if (rng && rng.chance(0.1)) out = out.replace(/\n  /g, '\n\t');
  if (rng && rng.chance(0.05)) out = out.trimEnd() + ' // trailing comment without newline';
  return out;
}

// ---------------------------------------------------------------- sweep

// A systematic sweep over the extension functions, `like`, string escapes
// and 64-bit arithmetic: one policy per expression, so that one request
// checks thousands of expressions (each shows up as a reason, an error or
// neither). Deterministic.
export function sweepExpressions() {
  const rng = makeRng('sweep');
  const q = (s) => cedarStr(rng, s);
  const out = [];
  const ips = [...VALID_IPS, ...BAD_IPS];
  for (const a of ips) {
    for (const m of ['isIpv4', 'isIpv6', 'isLoopback', 'isMulticast']) out.push(`ip(${q(a)}).${m}()`);
  }
  for (const a of VALID_IPS) {
    for (const b of VALID_IPS) {
      out.push(`ip(${q(a)}).isInRange(ip(${q(b)}))`);
      out.push(`ip(${q(a)}) == ip(${q(b)})`);
    }
  }
  const decs = [...VALID_DECIMALS, ...BAD_DECIMALS.slice(0, 6)];
  for (const a of decs) {
    for (const b of decs) {
      for (const m of ['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']) out.push(`decimal(${q(a)}).${m}(decimal(${q(b)}))`);
      out.push(`decimal(${q(a)}) == decimal(${q(b)})`);
    }
  }
  const dts = [...VALID_DATETIMES, ...BAD_DATETIMES];
  for (const a of dts) {
    for (const b of VALID_DATETIMES) {
      out.push(`datetime(${q(a)}) == datetime(${q(b)})`);
      out.push(`datetime(${q(a)}) < datetime(${q(b)})`);
      out.push(`datetime(${q(a)}) <= datetime(${q(b)})`);
      out.push(`datetime(${q(a)}).toDate() == datetime(${q(b)})`);
      out.push(`datetime(${q(a)}).toDate() == datetime(${q(b)}).toDate()`);
      out.push(`datetime(${q(a)}).toTime() == datetime(${q(b)}).toTime()`);
    }
  }
  const durs = [...VALID_DURATIONS, ...BAD_DURATIONS];
  const someDts = VALID_DATETIMES.filter((_, i) => i % 2 === 0);
  for (const a of someDts) {
    for (const d of VALID_DURATIONS) {
      for (const b of someDts) out.push(`datetime(${q(a)}).offset(duration(${q(d)})) == datetime(${q(b)})`);
      out.push(`datetime(${q(a)}).offset(duration(${q(d)})) < datetime(${q(a)})`);
      out.push(`datetime(${q(a)}).toTime() == duration(${q(d)})`);
    }
    for (const b of someDts) {
      for (const d of VALID_DURATIONS) out.push(`datetime(${q(a)}).durationSince(datetime(${q(b)})) == duration(${q(d)})`);
      out.push(`datetime(${q(a)}).durationSince(datetime(${q(b)})) < duration("0ms")`);
    }
  }
  const thresholds = [I64_MIN, -86400000n, -1000n, -1n, 0n, 1n, 2n, 24n, 60n, 1000n, 86400000n, 4294967296n,
    106751991167n, 2562047788015n, 9223372036854775n, I64_MAX];
  for (const a of durs) {
    for (const b of VALID_DURATIONS) {
      out.push(`duration(${q(a)}) == duration(${q(b)})`);
      out.push(`duration(${q(a)}) < duration(${q(b)})`);
    }
    for (const m of ['toDays', 'toHours', 'toMinutes', 'toSeconds', 'toMilliseconds']) {
      for (const t of thresholds) {
        out.push(`duration(${q(a)}).${m}() == ${longLit(t).text}`);
        out.push(`duration(${q(a)}).${m}() < ${longLit(t).text}`);
      }
    }
  }
  for (const a of VALID_DATETIMES) {
    for (const t of thresholds) out.push(`datetime(${q(a)}).toTime().toMilliseconds() < ${longLit(t).text}`);
  }
  for (const a of LONG_EDGES) {
    for (const b of LONG_EDGES) {
      for (const op of ['+', '-', '*']) out.push(`(${longLit(a).text}) ${op} (${longLit(b).text}) < 0`);
    }
    out.push(`-(${longLit(a).text}) < 0`);
  }
  // like: every string against patterns made from every string.
  const pats = [];
  for (const s of STRINGS) {
    const chars = Array.from(s);
    pats.push(cedarStr(rng, s, true));
    if (chars.length) {
      pats.push('"' + cedarStr(rng, chars.slice(0, 1).join(''), true).slice(1, -1) + '*"');
      pats.push('"*' + cedarStr(rng, chars.slice(-1).join(''), true).slice(1, -1) + '"');
      pats.push('"*' + cedarStr(rng, chars.slice(1, -1).join(''), true).slice(1, -1) + '*"');
    }
  }
  pats.push('"*"', '"**"', '""', '"\\*"', '"*\\**"', '"\\\\*"', '"a*b*"', '"*a*b"', '"*\\u{301}"', '"e*"', '"?"');
  for (const s of STRINGS) {
    for (const p of pats) out.push(`${q(s)} like ${p}`);
  }
  // Patterns that make a backtracking matcher take exponential time, and long strings.
  const as = 'a'.repeat(60);
  for (const n of [5, 10, 20, 30]) {
    out.push(`"${as}" like "${'*a'.repeat(n)}*b"`);
    out.push(`"${as}" like "${'*a'.repeat(n)}*"`);
    out.push(`"${as}b" like "${'a*'.repeat(n)}b"`);
  }
  out.push(`"${'x'.repeat(10000)}" like "*${'x'.repeat(100)}*"`);
  out.push(`"${'é'.repeat(5000)}" == "${'\\u{e9}'.repeat(5000)}"`);
  // String literals: every string written twice, with independent escaping.
  for (const s of STRINGS.concat(IDS)) out.push(`${q(s)} == ${q(s)}`);
  return out;
}
