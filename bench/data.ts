import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

/** A deterministic PRNG (mulberry32), so benchmark data is the same on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS = ['user_login', 'file_downloaded', 'file_downloaded', 'file_downloaded', 'user_channel_join', 'file_uploaded', 'user_logout', 'file_shared', 'public_channel_created', 'app_installed'];
const UAS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
];
const REASONS = [['ip_address', 'asn'], ['user_agent'], ['excessive_downloads'], ['session_fingerprint'], ['tor']];

/**
 * Write (once, then reuse) a JSON Lines file of `n` realistic audit events (~600 bytes each): 2,000 users,
 * 30 days, about 1 % anomalies.
 */
export async function bigEventFile(dir: string, n: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `events-${n}.jsonl`);
  if (existsSync(path) && statSync(path).size > n * 100) return path;
  const r = rng(7);
  const out = createWriteStream(path);
  const end = 1_780_000_000;
  for (let i = 0; i < n; i++) {
    const u = Math.floor(r() * 2000);
    const ts = end - Math.floor(((n - i) / n) * 30 * 86400);
    const anomaly = r() < 0.01;
    const action = anomaly ? 'anomaly' : ACTIONS[Math.floor(r() * ACTIONS.length)]!;
    const user = { id: `W${String(u).padStart(8, '0')}`, name: `User ${u}`, email: `user${u}@acme.example`, team: 'T0ACME0001' };
    const file = action.startsWith('file_') ? { type: 'file', file: { id: `F${i}`, name: `doc-${i % 5000}.xlsx`, filetype: 'xlsx', title: `doc-${i % 5000}.xlsx` } } : null;
    const ev = {
      id: `${i.toString(16).padStart(8, '0')}-6c7d-4900-a12f-${u.toString(16).padStart(12, '0')}`,
      date_create: ts,
      action,
      actor: { type: 'user', user },
      entity: file ?? { type: 'user', user },
      context: {
        location: { type: 'enterprise', id: 'E0ACME0001', name: 'Acme', domain: 'acme' },
        ua: UAS[u % UAS.length],
        ip_address: `203.0.113.${u % 250}`,
        session_id: r() < 0.5 ? 1656410836837 + u : String(1656410836837 + u),
      },
      ...(anomaly ? { details: { reason: REASONS[Math.floor(r() * REASONS.length)], action_timestamp: ts * 1e6 - 5e7 } } : {}),
    };
    if (!out.write(JSON.stringify(ev) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}
