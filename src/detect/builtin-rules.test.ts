import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRuleDirs } from './rule-loader.ts';
import { runRuleTests } from './rule-tests.ts';

const rules = loadRuleDirs([{ dir: BUILTIN_RULES_DIR, builtin: true }]);

describe('built-in rules', () => {
  it('include the contract ids and at least 15 single-event rules', () => {
    const ids = rules.map((r) => r.def.id);
    for (const id of ['slack-anomaly', 'scraping-suspected', 'session-hijack-suspected', 'excessive-downloads-over-baseline', 'unexpected-user-agent', 'anomaly-from-new-ip']) {
      expect(ids).toContain(id);
    }
    const single = rules.filter((r) => r.def.kind === 'match' && r.def.id !== 'slack-anomaly' && r.def.id !== 'unexpected-user-agent');
    expect(single.length).toBeGreaterThanOrEqual(15);
    for (const r of rules) {
      expect(r.def.runbook.length, r.def.id).toBeGreaterThan(20);
      expect(r.def.tests.some((t) => t.expect.length > 0), `${r.def.id} has a test that fires`).toBe(true);
      expect(r.def.tests.some((t) => t.expect.length === 0 || t.events.length > t.expect.length), `${r.def.id} has a test that must not fire`).toBe(true);
    }
  });

  // Each rule's own YAML tests: replay and incremental (events newest first) must both give the expected alerts.
  it.each(rules.map((r) => [r.def.id, r] as const))('%s passes its tests', async (_id, rule) => {
    const outcomes = await runRuleTests([rule]);
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.test}: ${o.problems.join('; ')}`);
    expect(failed).toEqual([]);
  });
});
