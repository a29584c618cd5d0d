// End-to-end: the real `haven` binary builds a demo city, serves it over TLS
// on a loopback port, and is spoken to over HTTPS as agencies would
// (issue 4, "What it must show", points 1 and 2). Afterwards the ledger is
// verified and must hold one entry for every API request made, each with the
// fields an audit record needs.
//
//   HAVEN=build/release/haven HAVEN_SAMPLES=../shared/data/chicago \
//     node tests/e2e/gateway_e2e.mjs
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

const HAVEN = process.env.HAVEN;
assert.ok(HAVEN, 'set HAVEN to the haven binary');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-e2e-'));
let server = null;
let failed = false;

function run(args, opts = {}) {
  const r = spawnSync(HAVEN, args, { encoding: 'utf8', ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function check(name, fn) {
  return fn().then(
    () => console.log(`ok   ${name}`),
    (e) => {
      failed = true;
      console.log(`FAIL ${name}\n${e.stack}`);
    });
}

// --- the city and the server -----------------------------------------------

const init = run(['demo', '--data', dir, '--init-only', '--scale', '5000',
                  ...(process.env.HAVEN_SAMPLES ? ['--samples', process.env.HAVEN_SAMPLES] : [])]);
assert.equal(init.status, 0, `demo --init-only failed:\n${init.stderr}`);
const tokens = JSON.parse(fs.readFileSync(path.join(dir, 'demo/tokens.json'), 'utf8'));
assert.equal(fs.statSync(path.join(dir, 'demo/tokens.json')).mode & 0o777, 0o600);

// Plain HTTP is for loopback only.
const refused = run(['serve', '--data', dir, '--plain-http', '--listen', '0.0.0.0:0']);
assert.equal(refused.status, 2, `plain HTTP on 0.0.0.0 was not refused: ${refused.stderr}`);
assert.match(refused.stderr, /loopback/);

async function startServer() {
  server = spawn(HAVEN, ['serve', '--data', dir, '--listen', '127.0.0.1:0',
                         '--rate-limit', '0', '--max-connections', '2000'],
                 { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (https:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`haven serve exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error('haven serve did not start in 30 s')), 30000);
  });
  return { url, stderr: () => stderr };
}

const { url, stderr: serverStderr } = await startServer();
const { port } = new URL(url);
const ca = fs.readFileSync(path.join(dir, 'tls/cert.pem'));
const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 16 });

// Every API request made, with the audit index its answer named.
const made = [];

function request(method, target, { token, body, headers = {}, raw = false } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let data = null;
    if (body !== undefined) {
      data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      h['Content-Type'] = h['Content-Type'] || 'application/json';
      h['Content-Length'] = Buffer.byteLength(data);
    }
    const req = https.request({ host: '127.0.0.1', port, method, path: target, headers: h, agent, ca },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          if (!raw) {
            try { json = JSON.parse(text); } catch { json = null; }
          }
          resolve({ status: res.statusCode, text, json, headers: res.headers });
        });
      });
    req.on('error', reject);
    if (data !== null) req.write(data);
    req.end();
  });
}

// An audited API call: remembers it and checks the answer names its entry.
async function api(method, target, opts = {}) {
  const r = await request(method, target, opts);
  assert.ok(r.json, `${method} ${target}: answer is not JSON: ${r.text}`);
  assert.equal(typeof r.json.audit?.index, 'number',
               `${method} ${target} (${r.status}): no audit index: ${r.text}`);
  made.push({ method, target, status: r.status, index: r.json.audit.index,
              user: opts.user });
  return r;
}

function search(user, body, token = tokens[user]) {
  return api('POST', '/v1/search', { token, body, user });
}

const PURPOSES = ['criminal-investigation', 'warrant-service', 'missing-person',
                  'officer-safety', 'civil-immigration'];
const lopez = (purpose, extra = {}) => ({
  dataset: 'persons', filter: { last_name: 'LOPEZ', first_name: 'MARIA' },
  purpose, case_number: 'JB-241133', reason: 'armed robbery follow-up', ...extra,
});
const PROTECTED = ['place_of_birth', 'nationality', 'gang_designation'];

// --- point 1 ---------------------------------------------------------------

await check('the CPD detective\'s search is allowed, with every field', async () => {
  const r = await search('cpd.detective', lopez('criminal-investigation'));
  assert.equal(r.status, 200, r.text);
  const maria = r.json.results.find((p) => p.dob === '1990-04-12');
  assert.ok(maria, `MARIA LOPEZ born 1990-04-12 not found: ${r.text}`);
  assert.ok(maria.place_of_birth && maria.nationality, r.text);
  assert.deepEqual(r.json.withheld_fields, []);
});

for (const user of ['ice.officer', 'cbp.officer', 'hsi.agent', 'ia.analyst', 'taskforce.officer']) {
  await check(`${user} is denied whatever the purpose`, async () => {
    for (const purpose of PURPOSES) {
      const r = await search(user, lopez(purpose));
      assert.equal(r.status, 403, `${purpose}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
      assert.ok(r.json.error.policies.length > 0, r.text);
      assert.ok(r.json.error.reasons.length > 0, r.text);
    }
    for (const dataset of ['plate_reads', 'vehicles', 'warrants']) {
      const filter = dataset === 'warrants' ? { last_name: 'LOPEZ' } : { plate: 'MLZ4120' };
      const r = await search(user, { dataset, filter, purpose: 'officer-safety', case_number: 'X-1' });
      assert.equal(r.status, 403, `${dataset}: ${r.text}`);
    }
  });
}

await check('a partner\'s proxy lookup "assist ICE ERO" is denied and flagged', async () => {
  for (const reason of ['assist ICE ERO', 'ICE+ERO', 'deportation case']) {
    const r = await search('cook.deputy', {
      dataset: 'plate_reads', filter: { plate: 'MLZ4120' }, purpose: 'criminal-investigation',
      case_number: 'CCSO-1187', reason });
    assert.equal(r.status, 403, r.text);
    assert.ok(r.json.error.policies.includes('immigration-reason'), r.text);
  }
});

await check('the purpose civil-immigration is denied for everyone', async () => {
  for (const user of ['isp.trooper', 'cpd.detective', 'fbi.agent']) {
    const r = await search(user, lopez('civil-immigration'));
    assert.equal(r.status, 403, r.text);
    assert.ok(r.json.error.policies.includes('civil-immigration-purpose'), r.text);
  }
});

await check('the FBI\'s criminal search is answered with protected fields withheld and named', async () => {
  const r = await search('fbi.agent', lopez('criminal-investigation', { case_number: 'FBI-318A' }));
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.results.length >= 1, r.text);
  for (const f of PROTECTED) {
    assert.ok(r.json.withheld_fields.includes(f), `${f} not named: ${r.text}`);
    for (const p of r.json.results) assert.ok(!(f in p), `${f} leaked: ${r.text}`);
  }
  assert.ok(r.json.results.every((p) => p.last_name === 'LOPEZ'), r.text);
  // One record by id: the same redaction.
  const id = r.json.results[0].id;
  const one = await api('GET', `/v1/records/persons/${encodeURIComponent(id)}?purpose=criminal-investigation&case_number=FBI-318A&reason=bank+robbery`,
                        { token: tokens['fbi.agent'], user: 'fbi.agent' });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.record.id, id);
  for (const f of PROTECTED) assert.ok(!(f in one.json.record), one.text);
});

await check('a plate search by a partner is answered', async () => {
  const r = await search('isp.trooper', { dataset: 'plate_reads', filter: { plate: 'MLZ4120' },
                                          purpose: 'officer-safety', case_number: 'ISP-9' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.results.length >= 1, `no plate reads for MLZ4120: ${r.text}`);
});

await check('a missing purpose or case number is 400', async () => {
  const a = await search('fbi.agent', { dataset: 'persons', filter: { last_name: 'LOPEZ' }, case_number: 'F-1' });
  assert.equal(a.status, 400, a.text);
  assert.equal(a.json.error.code, 'missing_field');
  assert.match(a.json.error.message, /purpose/);
  const b = await search('fbi.agent', { dataset: 'persons', filter: { last_name: 'LOPEZ' }, purpose: 'officer-safety' });
  assert.equal(b.status, 400, b.text);
  assert.match(b.json.error.message, /case_number/);
});

await check('malformed JSON, duplicate keys, unknown fields and wrong types are 400', async () => {
  const cases = [
    ['{"dataset": "persons",', 'invalid_json'],
    ['{"dataset":"persons","dataset":"warrants","filter":{"last_name":"A"},"purpose":"officer-safety","case_number":"1"}', 'duplicate_key'],
    ['{"dataset":"persons","filter":{"last_name":"A"},"purpose":"officer-safety","case_number":"1","agency":"ICE"}', 'unknown_field'],
    ['{"dataset":"persons","filter":{"last_name":1},"purpose":"officer-safety","case_number":"1"}', 'wrong_type'],
  ];
  for (const [body, code] of cases) {
    const r = await search('fbi.agent', body);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, code, r.text);
  }
});

await check('an unknown, missing or revoked token is 401', async () => {
  const unknown = await search(undefined, lopez('officer-safety'), 'hvn_' + '0'.repeat(64));
  assert.equal(unknown.status, 401, unknown.text);
  const none = await search(undefined, lopez('officer-safety'), undefined);
  assert.equal(none.status, 401, none.text);
  // A token issued while the server runs works at once, and fails at once
  // when revoked.
  const issued = run(['token', 'issue', '--data', dir, '--user', 'fbi.agent', '--ttl-days', '1']);
  assert.equal(issued.status, 0, issued.stderr);
  const secret = issued.stdout.trim();
  const tokenId = issued.stderr.match(/tok_[0-9a-f]{16}/)[0];
  const ok = await search('fbi.agent', lopez('officer-safety'), secret);
  assert.equal(ok.status, 200, ok.text);
  const revoked = run(['token', 'revoke', '--data', dir, tokenId]);
  assert.equal(revoked.status, 0, revoked.stderr);
  const after = await search('fbi.agent', lopez('officer-safety'), secret);
  assert.equal(after.status, 401, after.text);
  assert.match(after.json.error.message, /revoked/);
});

await check('an oversize body is 413', async () => {
  const big = JSON.stringify({ dataset: 'persons', filter: { last_name: 'A' }, purpose: 'officer-safety',
                               case_number: '1', reason: 'x'.repeat(1100000) });
  const r = await search('fbi.agent', big);
  assert.equal(r.status, 413, r.text);
  assert.equal(r.json.error.code, 'body_too_large');
});

await check('the ledger endpoints: public checkpoint and proofs, entries for oversight only', async () => {
  const denied = await api('GET', '/v1/ledger/entries?from=0&to=5', { token: tokens['fbi.agent'], user: 'fbi.agent' });
  assert.equal(denied.status, 403, denied.text);
  const r = await api('GET', '/v1/ledger/entries?from=0&to=5', { token: tokens['oig.auditor'], user: 'oig.auditor' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.entries.length, 5);
  const cp = await request('GET', '/v1/ledger/checkpoint', { raw: true });
  assert.equal(cp.status, 200);
  assert.match(cp.text, /^haven\.demo\/chicago\n\d+\n[A-Za-z0-9+/=]{44}\n\n— haven\.demo\/chicago /);
  const proof = await request('GET', `/v1/ledger/proof/${made[0].index}`, { raw: true });
  assert.equal(proof.status, 200, proof.text);
  assert.match(proof.text, /^c2sp\.org\/tlog-proof@v1\nindex \d+\n/);
  const health = await request('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.ok(health.json.ledger_size > 0);
  const metrics = await request('GET', '/metrics', { raw: true });
  assert.match(metrics.text, /haven_decisions_total\{agency="DCICE0000",decision="deny"\} \d+/);
});

// --- point 2: slow clients do not block others ------------------------------

await check('normal queries are answered while 300 connections trickle bytes', async () => {
  const sockets = [];
  for (let i = 0; i < 300; i++) {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    s.on('error', () => {});
    sockets.push(s);
  }
  const line = 'POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n';
  let pos = 0;
  const timer = setInterval(() => {
    for (const s of sockets) if (!s.destroyed && pos < line.length) s.write(line[pos]);
    pos++;
  }, 100);
  try {
    for (let i = 0; i < 20; i++) {
      const r = await search('isp.trooper', { dataset: 'plate_reads', filter: { plate: 'MLZ4120' },
                                              purpose: 'officer-safety', case_number: `ISP-${i}` });
      assert.equal(r.status, 200, r.text);
    }
  } finally {
    clearInterval(timer);
    for (const s of sockets) s.destroy();
  }
});

// --- afterwards: the ledger -------------------------------------------------

const checkpoint = (await request('GET', '/v1/ledger/checkpoint', { raw: true })).text;
fs.writeFileSync(path.join(dir, 'checkpoint.txt'), checkpoint);

await check('SIGTERM stops the server cleanly', async () => {
  const code = await new Promise((resolve) => {
    server.on('exit', (c) => resolve(c));
    server.kill('SIGTERM');
  });
  assert.equal(code, 0, serverStderr());
});

await check('haven ledger verify passes and every request has its entry', async () => {
  const vkey = fs.readdirSync(path.join(dir, 'ledger')).find((f) => f.endsWith('.vkey'));
  const v = run(['ledger', 'verify', path.join(dir, 'ledger'), '--vkey', path.join(dir, 'ledger', vkey),
                 '--checkpoint', path.join(dir, 'checkpoint.txt')]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const e = run(['ledger', 'entries', path.join(dir, 'ledger'), '--from', '0'], { maxBuffer: 1 << 28 });
  assert.equal(e.status, 0, e.stderr);
  const entries = e.stdout.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
  const access = entries.filter((x) => x.kind === 'access');
  assert.equal(access.length, made.length,
               `${made.length} API requests made, ${access.length} access entries`);
  const indices = new Set(made.map((m) => m.index));
  assert.equal(indices.size, made.length, 'two answers named the same entry');
  for (const m of made) {
    const x = entries[m.index];
    assert.equal(x.kind, 'access', `entry ${m.index} for ${m.method} ${m.target}`);
    assert.equal(x.status, m.status, `entry ${m.index}: status`);
    assert.match(x.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(x.client, '127.0.0.1');
    assert.equal(x.method, m.method);
    if (m.status !== 401 && m.user) {
      assert.equal(x.user, m.user, `entry ${m.index}: user`);
      assert.match(x.agency, /^[A-Z0-9]{9}$/);
      assert.match(x.credential, /^tok_[0-9a-f]{16}$/);
    }
    if (m.target === '/v1/search' && (m.status === 200 || m.status === 403)) {
      assert.ok(x.purpose && x.case_number && x.dataset, JSON.stringify(x));
      assert.ok(['allow', 'deny'].includes(x.decision), JSON.stringify(x));
      assert.ok(Array.isArray(x.policies), JSON.stringify(x));
    }
    if (m.status === 200 && m.target === '/v1/search') {
      assert.equal(typeof x.result_count, 'number');
      if (x.result_count > 0) assert.match(x.results_digest, /^sha256:[0-9a-f]{64}$/);
    }
  }
  // Flagged: every immigration-related attempt.
  const flagged = access.filter((x) => x.flagged);
  assert.ok(flagged.some((x) => x.reason === 'assist ICE ERO' && x.flags.includes('immigration-terms')));
  assert.ok(flagged.some((x) => x.purpose === 'civil-immigration'));
  assert.ok(flagged.some((x) => x.user === 'ice.officer'));
  // The revoked token's 401 names the credential.
  assert.ok(access.some((x) => x.status === 401 && /^tok_/.test(x.credential || '')));
  // Directory changes and the policy load are entries too.
  assert.ok(entries.some((x) => x.kind === 'policy-load' && x.sealed.includes('dhs-cut-off')));
  assert.ok(entries.some((x) => x.kind === 'directory' && x.change === 'token.revoke'));
});

if (server && server.exitCode === null) server.kill('SIGKILL');
if (!failed) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`data left in ${dir}`);
console.log(failed ? 'FAILED' : `all passed (${made.length} audited requests)`);
process.exit(failed ? 1 : 0);
