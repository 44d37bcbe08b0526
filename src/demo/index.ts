import { existsSync, rmSync } from 'node:fs';
import { collect, type CollectSummary, type Progress } from '../collector/index.ts';
import type { Config } from '../config/schema.ts';
import type { SlackAdmin } from '../respond/playbook.ts';
import { startSimulator, STORY, type Simulator } from '../sim/index.ts';
import { createAuditClient, DEFAULT_BUDGET_PER_MINUTE } from '../slack/audit-client.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';

/** State key that marks a database as the demo's own, so the demo never deletes a real one. */
export const DEMO_MARKER = 'demo:database';

export interface DemoOptions {
  dbPath: string;
  seed?: number;
  days?: number;
  users?: number;
  onProgress?: (p: Progress) => void;
  /** Runs after collection with the store (detection, then the UI, hook in here). */
  onStored?: (ids: string[]) => void | Promise<void>;
}

export interface DemoResult {
  store: SqliteStore;
  sim: Simulator;
  collected: CollectSummary;
}

/** The demo's playbooks: a person approves (propose mode), so Matt's scraping alert shows a proposed sign-out. */
export const DEMO_PLAYBOOKS = {
  'scraping-suspected': { action: 'sign-out', scope: 'web' },
  'session-hijack-suspected': { action: 'sign-out', scope: 'all' },
} as const;

/**
 * The demo's config: the loaded one with the demo's playbooks added in `propose` mode (a rule the config already
 * lists keeps its own playbook).
 *
 * @example demoConfig(defaultConfig()).responses.rules['scraping-suspected'] // { action: 'sign-out', scope: 'web', mode: 'propose' }
 */
export function demoConfig(config: Config): Config {
  const demo = Object.fromEntries(Object.entries(DEMO_PLAYBOOKS).map(([rule, p]) => [rule, { ...p, mode: 'propose' as const }]));
  return { ...config, responses: { ...config.responses, rules: { ...demo, ...config.responses.rules } } };
}

/**
 * The admin Web API of the demo's own simulator, handed to the demo's server and detection directly (not through
 * `process.env`), so the demo's buttons act on the simulator and never on a real org.
 *
 * @example demoSlackAdmin(sim) // { token: 'xoxp-sim-org-admin-web-api', baseUrl: 'http://127.0.0.1:PORT/api' }
 */
export function demoSlackAdmin(sim: Simulator): SlackAdmin {
  return { token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl };
}

/**
 * Start from a clean demo database: a file carrying the demo marker is replaced; any other existing file is refused,
 * because it may hold a real organisation's audit logs.
 */
async function freshDemoStore(path: string): Promise<SqliteStore> {
  if (existsSync(path)) {
    const existing = await openSqliteStore(path);
    const isDemo = (await existing.getState(DEMO_MARKER)) !== null;
    const empty = (await existing.countEvents()) === 0;
    await existing.close();
    if (!isDemo && !empty) {
      throw new Error(`${path} holds data that the demo did not create; the demo will not overwrite it (use --db with a new file)`);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
  const store = await openSqliteStore(path);
  await store.putState(DEMO_MARKER, new Date().toISOString());
  return store;
}

/**
 * The demo's data path: a generated organisation served by the simulator on loopback, collected through the real
 * Audit Logs client and collector (the same code as `gridwatch collect`) into a fresh SQLite file.
 *
 * @example
 * const { store, sim, collected } = await runDemoCollection({ dbPath: './gridwatch-demo.db' });
 */
export async function runDemoCollection(opts: DemoOptions): Promise<DemoResult> {
  const days = opts.days ?? 8;
  const store = await freshDemoStore(opts.dbPath);
  const sim = await startSimulator({ seed: opts.seed ?? 42, days, users: opts.users ?? 300 });
  try {
    // The demo's simulator serves no other app: the calls may go back to back (within its 50 a minute) instead of
    // being spread out as they must be against a real org's shared budget.
    const client = createAuditClient({ baseUrl: sim.auditBaseUrl, token: sim.tokens.owner, budgetBurst: DEFAULT_BUDGET_PER_MINUTE });
    const collected = await collect({
      store,
      client,
      since: Math.floor(Date.now() / 1000) - (days + 1) * 86400,
      // The simulator publishes every event at once: nothing needs to settle, so the story's last minutes are in.
      settleSec: 0,
      pageLimit: 9999,
      initialWindowSec: 2 * 86400,
      onProgress: opts.onProgress,
      onStored: opts.onStored,
    });
    return { store, sim, collected };
  } catch (e) {
    await sim.close();
    await store.close();
    throw e;
  }
}

/** The lines of the demo's summary: events by action, anomalies by reason, top users, and the story's trail. */
export async function demoSummary(store: SqliteStore, dbPath: string): Promise<string[]> {
  const lines: string[] = [];
  const total = await store.countEvents();
  lines.push(`Stored ${total.toLocaleString('en')} audit events in ${dbPath}`, '');
  const col = (rows: Array<{ key: string; label: string | null; count: number }>) =>
    rows.map((r) => `  ${String(r.count).padStart(7)}  ${r.label ? `${r.label} (${r.key})` : r.key}`);
  lines.push('Events by action (top 10):', ...col(await store.topCounts('action', 10)), '');
  lines.push('Anomalies by reason:', ...col(await store.topCounts('reason', 20)), '');
  lines.push('Most active users (top 5):', ...col(await store.topCounts('actor', 5)), '');
  const downloads = await store.queryEvents({ actor: STORY.userId, actions: ['file_downloaded'], reason: undefined, limit: 0 });
  const scraped = downloads.filter((e) => e.norm.ua === STORY.scraperUa);
  const leads = downloads.find((e) => e.norm.entityName === STORY.fileName);
  lines.push(
    `The departing salesperson: ${STORY.name} (${STORY.userId}) downloaded ${scraped.length} files with "${STORY.scraperUa}"` +
      (leads ? `, including ${STORY.fileName} at ${new Date(leads.norm.ts * 1000).toISOString()}` : ''),
  );
  return lines;
}
