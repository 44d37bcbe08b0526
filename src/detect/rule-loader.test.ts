import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.ts';
import { buildEnv } from './env.ts';
import { applyRuleConfig, BUILTIN_RULES_DIR, compileRules, loadRuleDirs, loadRuleFile, RuleLoadError } from './rule-loader.ts';

const root = mkdtempSync(join(tmpdir(), 'gw-rules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const GOOD = `id: my-rule
title: My rule
description: Something happened.
severity: medium
runbook: Look at it.
kind: match
where: {field: action, equals: anomaly}
tests:
  - name: fires
    events: [{reasons: [tor]}]
    expect: [{}]
`;

function ruleFile(text: string): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'rule.yml'), text);
  return join(dir, 'rule.yml');
}

function loadProblems(text: string): string[] {
  try {
    loadRuleFile(ruleFile(text));
  } catch (e) {
    return (e as RuleLoadError).problems;
  }
  return [];
}

describe('rule files', () => {
  it('a valid file loads with defaults filled in', () => {
    const r = loadRuleFile(ruleFile(GOOD));
    expect(r.def).toMatchObject({ id: 'my-rule', kind: 'match', tags: [], severity_by: [], subject: 'actor', enabled: true });
  });

  it('an invalid file is rejected with the file, the field and why', () => {
    const p = loadProblems(GOOD.replace('severity: medium', 'severity: urgent').replace('runbook: Look at it.\n', ''));
    expect(p).toEqual(
      expect.arrayContaining([expect.stringMatching(/rule\.yml: severity: must be one of info, low, medium, high, critical$/), expect.stringMatching(/rule\.yml: runbook: /)]),
    );
    expect(loadProblems(GOOD.replace('kind: match', 'kind: sequence'))).toEqual([expect.stringMatching(/rule\.yml: kind: must be one of match, correlate, threshold, new_value \(got "sequence"\)$/)]);
    expect(loadProblems(GOOD.replace('{field: action, equals: anomaly}', '{field: action, equal: anomaly}'))).toEqual([
      expect.stringMatching(/rule\.yml: where\.equal: unknown key/),
    ]);
    expect(loadProblems(GOOD.replace('kind: match', 'kind: correlate\ncorrelate: {window: soon, require: {a: {field: ip, exists: true}}}'))).toEqual([
      expect.stringMatching(/rule\.yml: correlate\.window: cannot read duration "soon"/),
    ]);
    expect(loadProblems(GOOD.replace('kind: match', 'kind: threshold\nthreshold: {bucket: 7m, above: 3}'))).toEqual([
      expect.stringMatching(/rule\.yml: threshold\.bucket: must divide a day/),
    ]);
    expect(loadProblems(GOOD.replace('tests:', 'alert_title: "{who} did it"\ntests:'))).toEqual([expect.stringMatching(/rule\.yml: alert_title: unknown placeholder \{who\}/)]);
    expect(loadProblems(GOOD.replace(/tests:[\s\S]*$/, 'tests: []\n'))).toEqual([expect.stringMatching(/rule\.yml: tests: every rule needs at least one test/)]);
    expect(loadProblems('id: [unclosed\n')).toEqual([expect.stringMatching(/rule\.yml: YAML: /)]);
  });

  it('an unknown list is reported when the rule is compiled', () => {
    const f = ruleFile(GOOD.replace('{field: action, equals: anomaly}', '{field: ip, in_list: office}'));
    const cfg = configFromObject({});
    expect(() => compileRules([loadRuleFile(f)], buildEnv(cfg))).toThrow(/rule\.yml: where\.in_list: no list named "office"/);
  });

  it('duplicate ids across directories are an error', () => {
    const a = ruleFile(GOOD);
    const b = ruleFile(GOOD);
    expect(() => loadRuleDirs([{ dir: join(a, '..'), builtin: false }, { dir: join(b, '..'), builtin: false }])).toThrow(/id: "my-rule" is already defined in/);
  });
});

describe('config applied to rules', () => {
  const builtin = loadRuleDirs([{ dir: BUILTIN_RULES_DIR, builtin: true }]);

  it('disables rules and overrides severity, suppression and parameters', () => {
    const cfg = configFromObject({
      rules: {
        disabled: ['slack-anomaly'],
        overrides: { 'scraping-suspected': { severity: 'critical', suppress: '2h', params: { window: '2h' } }, 'excessive-downloads-over-baseline': { params: { 'baseline.fallback': 5 } } },
      },
    });
    const rules = applyRuleConfig(builtin, cfg);
    expect(rules.find((r) => r.def.id === 'slack-anomaly')).toBeUndefined();
    const s = rules.find((r) => r.def.id === 'scraping-suspected')!.def;
    expect(s.severity).toBe('critical');
    expect(s.suppress).toBe(7200);
    expect(s.kind === 'correlate' && s.correlate.window).toBe(7200);
    const e = rules.find((r) => r.def.id === 'excessive-downloads-over-baseline')!.def;
    expect(e.kind === 'threshold' && e.threshold.baseline?.fallback).toBe(5);
  });

  it('names config mistakes: unknown rule ids, bad parameter values', () => {
    const bad = configFromObject(
      { rules: { disabled: ['slack-anomly'], overrides: { 'scraping-suspected': { params: { window: 'later' } } } }, allowlists: { exclude_users: { nope: ['W1'] } } },
      'gridwatch.yaml',
    );
    try {
      applyRuleConfig(builtin, bad);
      throw new Error('expected an error');
    } catch (e) {
      expect((e as RuleLoadError).problems).toEqual([
        'gridwatch.yaml: rules.disabled[0]: no rule with id "slack-anomly"',
        'gridwatch.yaml: allowlists.exclude_users.nope: no rule with id "nope"',
        'gridwatch.yaml: rules.overrides.scraping-suspected: correlate.window: cannot read duration "later": use seconds or a number with s, m, h, d or w (e.g. 90s, 15m, 6h)',
      ]);
    }
  });
});
