// Runs `haven cedar authorize` on one case directory and compares answers.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Writes policies.cedar, entities.json and requests.jsonl into dir.
// With format 'json' the policies go to policies.json instead.
export function writeCase(dir, { format, policiesText, entitiesText, requestsText }) {
  mkdirSync(dir, { recursive: true });
  const json = format === 'json';
  rmSync(join(dir, json ? 'policies.cedar' : 'policies.json'), { force: true });
  writeFileSync(join(dir, json ? 'policies.json' : 'policies.cedar'), policiesText);
  writeFileSync(join(dir, 'entities.json'), entitiesText);
  writeFileSync(join(dir, 'requests.jsonl'), requestsText);
}

// Normalises one answer to {decision, reasons, errors} with sorted ids.
// Accepts errors given as ids or as objects naming the policy.
export function normalise(a) {
  const id = (e) => (typeof e === 'string' ? e : e && (e.policy ?? e.policyId ?? e.id));
  return {
    decision: a.decision,
    reasons: (a.reasons || []).map(id).sort(),
    errors: (a.errors || []).map(id).sort(),
  };
}

export function sameAnswer(x, y) {
  return x.decision === y.decision &&
    JSON.stringify(x.reasons) === JSON.stringify(y.reasons) &&
    JSON.stringify(x.errors) === JSON.stringify(y.errors);
}

export function answerLine(a) {
  return JSON.stringify({ decision: a.decision, reasons: a.reasons, errors: a.errors });
}

// Runs Haven on the files in dir. Returns {status, answers (array, possibly
// shorter than the requests on failure), stderr}.
export function runHaven(haven, dir) {
  const json = existsSync(join(dir, 'policies.json'));
  const r = spawnSync(haven, ['cedar', 'authorize',
    '--policies', join(dir, json ? 'policies.json' : 'policies.cedar'),
    '--policies-format', json ? 'json' : 'cedar',
    '--entities', join(dir, 'entities.json'),
    '--requests', join(dir, 'requests.jsonl')],
  { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120000 });
  const answers = [];
  let bad = null;
  if (r.stdout) {
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      try {
        answers.push(normalise(JSON.parse(line)));
      } catch (e) {
        bad = 'unparsable output line: ' + line.slice(0, 200);
        answers.push({ decision: 'unparsable', reasons: [], errors: [] });
      }
    }
  }
  const status = r.error ? 'spawn error: ' + r.error.message : (r.signal ? 'signal ' + r.signal : r.status);
  return { status, answers, stderr: (r.stderr || '') + (bad ? '\n' + bad : '') };
}
