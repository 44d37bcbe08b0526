/**
 * Run the `tests` of rule files (`gridwatch rules test`). Each test stores its events in a fresh in-memory store and
 * runs the rule twice: a replay, and incremental runs fed the events newest first in small batches (the way Slack
 * delivers them). Both must give the expected alerts, and the same ones.
 */
import { dirname, resolve } from 'node:path';
import { MemoryAlertStore } from '../alerts/memory.ts';
import type { Alert } from '../alerts/types.ts';
import { configFromObject } from '../config/load.ts';
import { compileRule } from './compile.ts';
import { createEngine } from './engine.ts';
import { buildEnv } from './env.ts';
import { incrementalWithEngine } from './incremental.ts';
import { MemoryStore } from './memory-store.ts';
import { replayWithEngine } from './replay.ts';
import type { LoadedRule } from './rule-loader.ts';
import type { Expectation, RuleTestCase } from './rule-schema.ts';
import { readFixture, testEvent, toIncoming } from './test-events.ts';

export interface TestOutcome {
  rule: string;
  file: string;
  test: string;
  ok: boolean;
  problems: string[];
  alerts: number;
}

/** A fixed clock: test alerts must not depend on when the test runs. */
const NOW = () => Date.UTC(2024, 6, 1);

function deepSubset(want: unknown, got: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(got) && want.every((w) => got.some((g) => deepSubset(w, g)));
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') return false;
    return Object.entries(want as Record<string, unknown>).every(([k, v]) => deepSubset(v, (got as Record<string, unknown>)[k]));
  }
  return want === got;
}

/** Why an alert does not meet an expectation (empty when it does). */
function mismatches(e: Expectation, a: Alert): string[] {
  const p: string[] = [];
  if (e.severity && a.severity !== e.severity) p.push(`severity ${a.severity}, expected ${e.severity}`);
  if (e.user_id && a.user_id !== e.user_id) p.push(`user ${a.user_id}, expected ${e.user_id}`);
  if (e.events && [...e.events].sort().join() !== [...a.event_ids].sort().join()) p.push(`events [${a.event_ids.join(', ')}], expected [${e.events.join(', ')}]`);
  if (e.event_count !== undefined && a.event_count !== e.event_count) p.push(`event_count ${a.event_count}, expected ${e.event_count}`);
  if (e.title_contains && !a.title.includes(e.title_contains)) p.push(`title "${a.title}" does not contain "${e.title_contains}"`);
  if (e.context && !deepSubset(e.context, a.context)) p.push(`context does not contain ${JSON.stringify(e.context)}`);
  return p;
}

/** Compare alerts on what they say (not on when they were stored). */
function signature(a: Alert): string {
  return JSON.stringify([a.id, a.rule, a.severity, a.title, a.user_id, a.first_ts, a.last_ts, a.event_ids, a.event_count, a.context]);
}

const describe = (a: Alert) => `${a.severity} "${a.title}" events [${a.event_ids.join(', ')}]`;

/**
 * Check alerts against a test's expectations: same number, each expectation met by a distinct alert.
 *
 * @example checkExpectations([{ severity: 'high' }], alerts) // [] when it passes
 */
export function checkExpectations(expect: readonly Expectation[], alerts: readonly Alert[]): string[] {
  const problems: string[] = [];
  if (alerts.length !== expect.length) {
    problems.push(`expected ${expect.length} alert(s), got ${alerts.length}${alerts.length ? `: ${alerts.map(describe).join('; ')}` : ''}`);
  }
  const free = [...alerts];
  expect.forEach((e, i) => {
    const hit = free.findIndex((a) => mismatches(e, a).length === 0);
    if (hit >= 0) {
      free.splice(hit, 1);
      return;
    }
    if (alerts.length === expect.length || free.length) {
      const closest = free[0];
      problems.push(`expect[${i}] met by no alert${closest ? ` (first candidate: ${mismatches(e, closest).join('; ')})` : ''}`);
    }
  });
  return [...new Set(problems)];
}

/**
 * Run one test case of a rule.
 *
 * @example const outcome = await runRuleTest(loadRuleFile('rules/builtin/slack-anomaly.yml'), 0)
 */
export async function runRuleTest(rule: LoadedRule, index: number): Promise<TestOutcome> {
  const t: RuleTestCase = rule.def.tests[index]!;
  const outcome: TestOutcome = { rule: rule.def.id, file: rule.file, test: t.name, ok: false, problems: [], alerts: 0 };
  try {
    const dir = dirname(rule.file);
    const config = configFromObject(t.config ?? {}, `${rule.file}: tests[${index}].config`, dir);
    const env = buildEnv(config);
    const compiled = compileRule(rule.def, env, { suppressDefault: config.detect.suppress });
    const raw = [...t.fixtures.flatMap((f) => readFixture(resolve(dir, f))), ...t.events.map((e, i) => testEvent(e, i))];
    const incoming = toIncoming(raw, `tests[${index}]`);

    const store = new MemoryStore();
    await store.appendEvents(incoming);
    const engine = createEngine(config, new MemoryAlertStore(), { env, rules: [compiled], now: NOW });
    const replayed = (await replayWithEngine(store, engine)).alerts;
    outcome.alerts = replayed.length;
    outcome.problems.push(...checkExpectations(t.expect, replayed));

    // The same events arriving newest first, a few at a time, processed incrementally.
    const inc = new MemoryStore();
    const incEngine = createEngine(config, new MemoryAlertStore(), { env, rules: [compiled], now: NOW });
    const arrival = [...incoming].sort((a, b) => b.norm.ts - a.norm.ts);
    for (let i = 0; i < arrival.length; i += 3) {
      await inc.appendEvents(arrival.slice(i, i + 3));
      await incrementalWithEngine(inc, incEngine);
    }
    const incremental = await incEngine.alerts.list();
    const a = replayed.map(signature).sort();
    const b = incremental.map(signature).sort();
    if (a.join('\n') !== b.join('\n')) {
      outcome.problems.push(`incremental runs (events newest first) gave ${incremental.length} alert(s) that differ from the replay's ${replayed.length}: ${incremental.map(describe).join('; ') || 'none'}`);
    }
  } catch (e) {
    outcome.problems.push((e as Error).message);
  }
  outcome.ok = outcome.problems.length === 0;
  return outcome;
}

/**
 * Run every test of every rule given.
 *
 * @example
 * const outcomes = await runRuleTests(loadRuleDirs([{ dir: 'rules/builtin', builtin: true }]));
 * outcomes.every((o) => o.ok)
 */
export async function runRuleTests(rules: readonly LoadedRule[]): Promise<TestOutcome[]> {
  const out: TestOutcome[] = [];
  for (const r of rules) for (let i = 0; i < r.def.tests.length; i++) out.push(await runRuleTest(r, i));
  return out;
}
