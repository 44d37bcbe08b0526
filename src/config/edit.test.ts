import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editLocalAllowlist, readLocalAllowlist, writeFileAtomic } from './edit.ts';
import { ConfigError } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'gw-edit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORIGINAL = `# gridwatch configuration for ACME
timezone: Europe/Paris # office time

allowlists:
  # office and VPN egress
  trusted_cidrs:
    - 198.51.100.0/24 # Paris office
    - 203.0.113.7 # CEO home

  trusted_asns: [64500, 64501] # partners
  expected_user_agents:
    - '^Slack/\\d'

rules:
  disabled: [mfa-disabled]
`;

describe('editLocalAllowlist', () => {
  it('adds and removes entries and leaves every other line, comment and blank line as it was', () => {
    const file = join(dir, 'a.yaml');
    const before = readLocalAllowlist(ORIGINAL, file);
    expect(before).toEqual({ cidrs: ['198.51.100.0/24', '203.0.113.7'], asns: [64500, 64501] });
    const out = editLocalAllowlist(ORIGINAL, { cidrs: ['198.51.100.0/24', '192.0.2.0/24'], asns: [64501, 7] }, file);
    expect(out).toBe(`# gridwatch configuration for ACME
timezone: Europe/Paris # office time

allowlists:
  # office and VPN egress
  trusted_cidrs:
    - 198.51.100.0/24 # Paris office
    - 192.0.2.0/24

  trusted_asns: [64501, 7] # partners
  expected_user_agents:
    - '^Slack/\\d'

rules:
  disabled: [mfa-disabled]
`);
    expect(readLocalAllowlist(out, file)).toEqual({ cidrs: ['198.51.100.0/24', '192.0.2.0/24'], asns: [64501, 7] });
  });

  it('creates the lists when the file has none, keeping what is there', () => {
    const text = '# only a time zone\ntimezone: UTC\n';
    expect(editLocalAllowlist(text, { cidrs: ['192.0.2.0/24'], asns: [] }, join(dir, 'b.yaml'))).toBe(
      '# only a time zone\ntimezone: UTC\nallowlists:\n  trusted_cidrs:\n    - 192.0.2.0/24\n',
    );
  });

  it('refuses to produce a file gridwatch would not load', () => {
    expect(() => editLocalAllowlist('allowlists:\n  trusted_cidrs: 5\n', { cidrs: ['192.0.2.0/24'], asns: [] }, join(dir, 'c.yaml'))).toThrow(ConfigError);
    expect(() => editLocalAllowlist('allowlists: [1]\n', { cidrs: ['192.0.2.0/24'], asns: [] }, join(dir, 'd.yaml'))).toThrow(/allowlists is not a mapping/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content and keeps the permission bits', () => {
    const file = join(dir, 'perm.yaml');
    writeFileSync(file, 'timezone: UTC\n');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'timezone: Europe/Paris\n');
    expect(readFileSync(file, 'utf8')).toBe('timezone: Europe/Paris\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });
});
