import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { configFromYaml } from '../src/config/load.ts';
import { ROOT } from './cli-helpers.ts';

it('the documented gridwatch.example.yaml is a valid configuration', () => {
  const text = readFileSync(`${ROOT}gridwatch.example.yaml`, 'utf8');
  const config = configFromYaml(text, 'gridwatch.example.yaml', ROOT);
  expect(config.collect).toEqual({ settle_seconds: 120, overlap_hours: 6, budget_per_minute: 40, page_limit: 5000 });
  expect(config.sinks.map((s) => s.type)).toEqual(['stdout', 'file', 'webhook', 'slack']);
  expect(config.allowlists.trusted_cidrs).toEqual(['198.51.100.0/24']);
  expect(config.responses).toEqual({
    mode: 'propose',
    max_per_hour: 5,
    protected_users: [],
    rules: { 'scraping-suspected': { action: 'sign-out', scope: 'web' }, 'session-hijack-suspected': { action: 'sign-out', scope: 'all' } },
  });
});
