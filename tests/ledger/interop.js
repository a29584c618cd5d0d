// Interop: Haven's ledger against code nobody here wrote.
//
// 1. Haven -> independent: proofs and checkpoints printed by `haven ledger`
//    are checked with @sigstore/verify 3.x (its tlog checkpoint and Merkle
//    inclusion verification), and consistency proofs and roots with an
//    RFC 9162 implementation written here from the RFC, on node's crypto.
// 2. Independent -> Haven: proofs, roots and a C2SP signed checkpoint and
//    tlog-proof made here are fed to Haven's verifiers
//    (ledger_interop_helper), which must accept the good ones and reject the
//    tampered ones.
//
// usage: node interop.js <haven_ledger_cli> <ledger_interop_helper>
'use strict';
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const [cli, helper] = process.argv.slice(2);
const root = path.resolve(__dirname, '..', '..');
const req = (p) => require(path.join(root, 'node_modules', p));
// Internal modules of @sigstore/verify, by path: not exported by the package.
const { verifyCheckpoint } = req('@sigstore/verify/dist/tlog/checkpoint.js');
const { verifyMerkleInclusion } = req('@sigstore/verify/dist/tlog/merkle.js');

let checks = 0;
function ok(cond, msg) { assert.ok(cond, msg); checks++; }
function throws(fn, msg) { assert.throws(fn, undefined, msg); checks++; }

// ---- An independent RFC 9162 tree (recursive definitions of §2.1) ----
const sha = (...parts) => { const h = crypto.createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
const leafHash = (e) => sha(Buffer.from([0]), e);
const nodeHash = (l, r) => sha(Buffer.from([1]), l, r);
const split = (n) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function mth(leaves) {
  if (leaves.length === 0) return sha(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path_(m, leaves) {  // RFC 9162 §2.1.3.1
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...path_(m, leaves.slice(0, k)), mth(leaves.slice(k))]
               : [...path_(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
function subproof(m, leaves, b) {  // RFC 9162 §2.1.4.1
  const n = leaves.length;
  if (m === n) return b ? [] : [mth(leaves)];
  const k = split(n);
  return m <= k ? [...subproof(m, leaves.slice(0, k), b), mth(leaves.slice(k))]
                : [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}
function verifyConsistency(m, n, proof, r1, r2) {  // RFC 9162 §2.1.4.2
  if (m === 0 || m > n) return false;
  if (m === n) return proof.length === 0 && r1.equals(r2);
  if (proof.length === 0) return false;
  let p = [...proof];
  if ((m & (m - 1)) === 0) p = [r1, ...p];
  let fn = m - 1, sn = n - 1;
  while (fn & 1) { fn >>= 1; sn >>= 1; }
  let fr = p[0], sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      if (!(fn & 1)) while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && fr.equals(r1) && sr.equals(r2);
}

// ---- C2SP keys and notes, from the spec ----
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
function keyId(name, pub) {
  return sha(Buffer.from(name + '\n'), Buffer.from([1]), pub).subarray(0, 4);
}
function parseVkey(text) {
  // name+id+key, where the base64 key may itself hold '+'.
  const [name, id, ...rest] = text.trim().split('+');
  const key = rest.join('+');
  const raw = Buffer.from(key, 'base64');
  assert.strictEqual(raw[0], 1);
  const pub = raw.subarray(1);
  assert.strictEqual(keyId(name, pub).toString('hex'), id, 'vkey key id');
  return { name, id: Buffer.from(id, 'hex'), pub,
           keyObject: crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519, pub]), format: 'der', type: 'spki' }) };
}
function parseTlogProof(text) {
  const lines = text.split('\n');
  assert.strictEqual(lines[0], 'c2sp.org/tlog-proof@v1');
  let i = 1;
  if (lines[i].startsWith('extra ')) i++;
  assert.ok(lines[i].startsWith('index '));
  const index = BigInt(lines[i++].slice(6));
  const hashes = [];
  while (lines[i] !== '') hashes.push(Buffer.from(lines[i++], 'base64'));
  return { index, hashes, checkpoint: lines.slice(i + 1).join('\n') };
}

const run = (args, input) => execFileSync(cli, ['ledger', ...args], { input, encoding: 'utf8' });

// ================= 1. Haven -> independent =================
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-interop-'));
try {
  const origin = 'interop.example/ledger';
  const vkeyText = run(['init', path.join(dir, 'l'), '--origin', origin]);
  const L = path.join(dir, 'l');
  const vkey = parseVkey(vkeyText);
  ok(fs.readFileSync(path.join(L, 'ledger.vkey'), 'utf8') === vkeyText, 'vkey file');
  const tlog = { logID: vkey.id, baseURL: origin, publicKey: vkey.keyObject };
  const otherKey = crypto.generateKeyPairSync('ed25519').publicKey;
  const wrongTlog = { logID: vkey.id, baseURL: origin, publicKey: otherKey };

  const entries = [];
  for (let i = 0; i < 1077; i++) {
    entries.push(JSON.stringify({ i, agency: 'A' + (i % 13), r: crypto.randomBytes(6).toString('hex') }));
  }
  const sizes = [777, 1077];
  assert.strictEqual(run(['append', L], entries.slice(0, 777).join('\n') + '\n').trim(), '776');
  const cp1 = run(['checkpoint', L]);
  assert.strictEqual(run(['append', L], entries.slice(777).join('\n') + '\n').trim(), '1076');
  const cp2 = run(['checkpoint', L]);
  const leaves = entries.map((e) => leafHash(Buffer.from(e)));
  for (const [cp, n] of [[cp1, sizes[0]], [cp2, sizes[1]]]) {
    const [o, size, rootB64] = cp.split('\n');
    ok(o === origin && Number(size) === n, 'checkpoint header');
    ok(Buffer.from(rootB64, 'base64').equals(mth(leaves.slice(0, n))), `root at ${n} matches the independent tree`);
  }
  ok(run(['entries', L, '--from', '5', '--to', '8']) === entries.slice(5, 8).join('\n') + '\n', 'entries');

  // Inclusion proofs and the checkpoint, through @sigstore/verify.
  for (const i of [0, 1, 2, 255, 256, 511, 776, 777, 1000, 1075, 1076]) {
    const p = parseTlogProof(run(['prove', L, '--index', String(i)]));
    ok(p.index === BigInt(i), 'index');
    ok(p.checkpoint === cp2, 'proof carries the latest checkpoint');
    const entry = {
      canonicalizedBody: Buffer.from(entries[i]),
      inclusionProof: { logIndex: String(i), hashes: p.hashes, checkpoint: { envelope: p.checkpoint } },
    };
    const checkpoint = verifyCheckpoint(entry, [tlog]);  // throws if bad
    checks++;
    ok(checkpoint.logSize === 1077n, 'sigstore parsed size');
    verifyMerkleInclusion(entry, checkpoint);  // throws if bad
    checks++;
    // The same proof must not prove anything else.
    throws(() => verifyCheckpoint(entry, [wrongTlog]), 'wrong key accepted');
    throws(() => verifyMerkleInclusion({ ...entry, canonicalizedBody: Buffer.from('forged') }, checkpoint), 'forged entry accepted');
    if (p.hashes.length > 0) {
      const bad = p.hashes.map((h) => Buffer.from(h));
      bad[bad.length - 1][0] ^= 1;
      throws(() => verifyMerkleInclusion({ ...entry, inclusionProof: { ...entry.inclusionProof, hashes: bad } }, checkpoint), 'tampered proof accepted');
    }
    const tampered = p.checkpoint.replace('\n1077\n', '\n1078\n');
    throws(() => verifyCheckpoint({ ...entry, inclusionProof: { ...entry.inclusionProof, checkpoint: { envelope: tampered } } }, [tlog]), 'tampered checkpoint accepted');
  }

  // Consistency proofs, with the independent verifier and roots.
  for (const [m, n] of [[1, 1077], [2, 777], [3, 1077], [7, 8], [256, 777], [500, 1077], [777, 1077], [1077, 1077], [1000, 1001]]) {
    const out = run(['consistency', L, '--from', String(m), '--to', String(n)]);
    const proof = out.split('\n').filter((l) => l).map((l) => Buffer.from(l, 'base64'));
    const r1 = mth(leaves.slice(0, m)), r2 = mth(leaves.slice(0, n));
    ok(verifyConsistency(m, n, proof, r1, r2), `consistency ${m}->${n}`);
    const want = m === n ? [] : subproof(m, leaves.slice(0, n), true);
    ok(proof.length === want.length && proof.every((h, k) => h.equals(want[k])), `consistency ${m}->${n} equals the RFC's`);
  }
  // Default --to: the latest checkpoint.
  ok(run(['consistency', L, '--from', '777']) === run(['consistency', L, '--from', '777', '--to', '1077']), 'default --to');

  // ================= 2. Independent -> Haven =================
  const cmds = [];
  const expect = [];
  const add = (line, good) => { cmds.push(line); expect.push(good); };
  const b64 = (b) => Buffer.from(b).toString('base64');
  const list = (hs) => (hs.length ? hs.map(b64).join(',') : '-');
  const jsLeaves = [];
  for (let i = 0; i < 150; i++) jsLeaves.push(leafHash(crypto.randomBytes(1 + (i % 40))));
  for (let n = 1; n <= 150; n += 7) {
    const r = mth(jsLeaves.slice(0, n));
    for (let m = 0; m < n; m += 3) {
      const p = path_(m, jsLeaves.slice(0, n));
      add(`inclusion ${m} ${n} ${b64(jsLeaves[m])} ${b64(r)} ${list(p)}`, true);
      add(`inclusion ${m} ${n} ${b64(jsLeaves[(m + 1) % n])} ${b64(r)} ${list(p)}`, n === 1);
      if (p.length) {
        const bad = p.map((h) => Buffer.from(h)); bad[0][7] ^= 0x10;
        add(`inclusion ${m} ${n} ${b64(jsLeaves[m])} ${b64(r)} ${list(bad)}`, false);
      }
    }
    for (let m = 1; m <= n; m += 5) {
      const p = m === n ? [] : subproof(m, jsLeaves.slice(0, n), true);
      const r1 = mth(jsLeaves.slice(0, m));
      add(`consistency ${m} ${n} ${b64(r1)} ${b64(r)} ${list(p)}`, true);
      if (m < n) {
        add(`consistency ${m} ${n} ${b64(r)} ${b64(r1)} ${list(p)}`, false);
        add(`consistency ${m} ${n} ${b64(r1)} ${b64(r)} ${list(p.slice(1))}`, false);
      }
    }
    add(`consistency 0 ${n} ${b64(sha(Buffer.alloc(0)))} ${b64(r)} -`, false);
  }
  // A checkpoint and tlog-proof signed here, with node's Ed25519.
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const name = 'js.example/log';
  const jsVkey = `${name}+${keyId(name, pub).toString('hex')}+${b64(Buffer.concat([Buffer.from([1]), pub]))}`;
  const jsEntries = Array.from({ length: 37 }, (_, i) => Buffer.from(`js entry ${i}`));
  const jl = jsEntries.map(leafHash);
  const body = `${name}\n37\n${b64(mth(jl))}\n`;
  const sig = crypto.sign(null, Buffer.from(body), privateKey);
  const note = `${body}\n\u2014 ${name} ${b64(Buffer.concat([keyId(name, pub), sig]))}\n`;
  for (const i of [0, 5, 31, 32, 36]) {
    const proofText = ['c2sp.org/tlog-proof@v1', ...(i === 5 ? ['extra ' + b64('context')] : []),
      `index ${i}`, ...path_(i, jl).map(b64), '', note].join('\n');
    add(`tlogproof ${b64(jsVkey)} ${b64(jsEntries[i])} ${b64(proofText)}`, true);
    add(`tlogproof ${b64(jsVkey)} ${b64(jsEntries[(i + 1) % 37])} ${b64(proofText)}`, false);
    add(`tlogproof ${b64(vkeyText)} ${b64(jsEntries[i])} ${b64(proofText)}`, false);
    add(`tlogproof ${b64(jsVkey)} ${b64(jsEntries[i])} ${b64(proofText.replace('\n37\n', '\n38\n'))}`, false);
  }
  const answers = execFileSync(helper, { input: cmds.join('\n') + '\n', encoding: 'utf8' }).trim().split('\n');
  assert.strictEqual(answers.length, cmds.length);
  for (let k = 0; k < cmds.length; k++) {
    ok((answers[k] === 'ok') === expect[k], `Haven said "${answers[k]}" to: ${cmds[k].slice(0, 120)}`);
  }
  console.log(`interop: ${checks} checks passed (@sigstore/verify and an independent RFC 9162 implementation)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
