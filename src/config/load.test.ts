import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configFromObject, configFromYaml, defaultConfig, loadConfig } from './load.ts';
import { DEFAULT_EXPECTED_USER_AGENTS } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('has defaults for everything', () => {
    const c = defaultConfig();
    expect(c.timezone).toBe('UTC');
    expect(c.rules).toEqual({ builtin: true, dirs: [], disabled: [], overrides: {} });
    expect(c.allowlists.expected_user_agents).toEqual(DEFAULT_EXPECTED_USER_AGENTS);
    expect(Object.keys(c.collect).sort()).toEqual(['budget_per_minute', 'overlap_hours', 'page_limit', 'settle_seconds']);
    expect(c.detect.suppress).toBe(3600);
    expect(c.sinks).toEqual([]);
  });

  it('reads the example of the issue', () => {
    const c = configFromYaml(
      'allowlists:\n  trusted_cidrs: ["198.51.100.0/24"]\n  trusted_asns: [64500]\n  expected_user_agents: ["^Slack/", "^Mozilla/5\\\\.0 .*(Chrome|Firefox|Safari)/"]\n',
      'gridwatch.yaml',
      dir,
    );
    expect(c.allowlists.trusted_cidrs).toEqual(['198.51.100.0/24']);
    expect(c.allowlists.trusted_asns).toEqual([64500]);
    expect(c.allowlists.expected_user_agents[1]).toBe('^Mozilla/5\\.0 .*(Chrome|Firefox|Safari)/');
  });

  it('names the path of an unknown key (a typo is an error, not ignored)', () => {
    expect(problems(() => configFromObject({ allowlists: { trusted_cidr: [] } }, 'gridwatch.yaml'))).toEqual(['allowlists.trusted_cidr: unknown key']);
    expect(problems(() => configFromObject({ rules: { overrides: { 'slack-anomaly': { severty: 'low' } } } }))).toEqual([
      'rules.overrides.slack-anomaly.severty: unknown key',
    ]);
  });

  it('says why a value is wrong', () => {
    const p = problems(() =>
      configFromObject({
        timezone: 'Mars/Olympus',
        allowlists: { trusted_cidrs: ['10.0.0.0/33'], expected_user_agents: ['(unclosed'], trusted_asns: ['AS1'] },
        detect: { suppress: 'soon' },
        collect: { page_limit: 20000 },
        sinks: [{ type: 'webhook', url: 'ftp://x' }],
      }),
    );
    expect(p.join('\n')).toMatch(/^timezone: not a known IANA time zone/m);
    expect(p.join('\n')).toMatch(/^allowlists\.trusted_cidrs\[0\]: not a CIDR or IP address: prefix length must be 0-32/m);
    expect(p.join('\n')).toMatch(/^allowlists\.expected_user_agents\[0\]: not a valid regular expression/m);
    expect(p.join('\n')).toMatch(/^allowlists\.trusted_asns\[0\]: /m);
    expect(p.join('\n')).toMatch(/^detect\.suppress: cannot read duration "soon"/m);
    expect(p.join('\n')).toMatch(/^collect\.page_limit: /m);
    expect(p.join('\n')).toMatch(/^sinks\[0\]\.url: /m);
  });

  it('checks references: groups in exclusions, files that must exist', () => {
    expect(problems(() => configFromObject({ allowlists: { exclude_users: { 'slack-anomaly': ['group:bots'] } } }))).toEqual([
      'allowlists.exclude_users.slack-anomaly[0]: no group "bots" in allowlists.groups',
    ]);
    expect(problems(() => configFromObject({ threat_intel_file: 'missing.txt' }, 'g.yaml', dir))[0]).toMatch(/^threat_intel_file: file .*missing\.txt does not exist/);
  });

  it('reports YAML syntax errors with the file', () => {
    expect(() => configFromYaml('allowlists: [\n', 'gridwatch.yaml', dir)).toThrow(/gridwatch\.yaml/);
  });

  it('loads a file, resolving relative paths against its directory', async () => {
    writeFileSync(join(dir, 'intel.txt'), '192.0.2.1\n');
    writeFileSync(join(dir, 'gridwatch.yaml'), 'threat_intel_file: intel.txt\ntimezone: Europe/Paris\n');
    const c = await loadConfig(join(dir, 'gridwatch.yaml'));
    expect(c.threat_intel_file).toBe(join(dir, 'intel.txt'));
    expect(c.timezone).toBe('Europe/Paris');
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toThrow(/does not exist/);
  });
});
