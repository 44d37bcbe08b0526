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

describe('namespaced tags, false positives and references', () => {
  it('accepts Sigma-style tags and keeps false_positives and references', () => {
    const file = ruleFile(GOOD.replace('kind: match', 'tags: [attack.t1078.004, attack.initial_access, slack.anomaly]\nfalse_positives: [travel]\nreferences: ["https://attack.mitre.org/techniques/T1078/"]\nkind: match'));
    const { def } = loadRuleFile(file);
    expect(def.tags).toEqual(['attack.t1078.004', 'attack.initial_access', 'slack.anomaly']);
    expect(def.false_positives).toEqual(['travel']);
    expect(def.references).toEqual(['https://attack.mitre.org/techniques/T1078/']);
  });

  it('refuses un-namespaced tags, naming the form to write', () => {
    const problems = loadProblems(GOOD.replace('kind: match', 'tags: [T1078, privilege-escalation, vip, attack.t12, attack.defense-evasion]\nkind: match'));
    expect(problems.join('\n')).toContain('tags[0]: "T1078" has no namespace: write attack.t1078');
    expect(problems.join('\n')).toContain('tags[1]: "privilege-escalation" has no namespace: write attack.privilege_escalation');
    expect(problems.join('\n')).toContain('tags[2]: "vip" has no namespace: write <namespace>.<name>');
    expect(problems.join('\n')).toContain('tags[3]: "attack.t12" not an ATT&CK technique');
    expect(problems.join('\n')).toContain('tags[4]: "attack.defense-evasion" write attack.defense_evasion');
  });

  it('refuses a reference that is not an http(s) URL', () => {
    expect(loadProblems(GOOD.replace('kind: match', 'references: ["see the wiki"]\nkind: match')).join('\n')).toContain('references[0]: must be an http(s) URL');
  });
});
