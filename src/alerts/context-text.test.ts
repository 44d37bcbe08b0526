/** Alert contexts kept as JSON text (context-text.ts): what readers of `context` see, and what stores write. */
import { describe, expect, it } from 'vitest';
import { contextJson, contextText, withContextOf, withContextText } from './context-text.ts';
import type { AlertContext } from './types.ts';

const context: AlertContext = {
  summary: 'Scraping suspected: Matt Levene',
  reasons: ['unexpected_scraping', 'user_agent'],
  facts: { count: 5, window: 3600, values: ['Scrapers Inc/1.0'] },
  target: { type: 'file', id: 'F1', name: 'Glengarry-Leads.xlsx' },
  ips: [],
  user_agents: [],
  downloads: { window: { from: '2026-12-04T10:00:00Z', to: '2026-12-04T11:00:00Z' }, count: 1, files: [] },
  related: [],
  aer_reset: null,
  slack: [{ details: { reason: ['user_agent'], nested: { quote: 'a "b" \\ é 𝄞' } } }],
};

describe('context kept as text', () => {
  it('is the context serialized, and reads back as an equal object, a fresh one each time', () => {
    const text = contextText(context);
    expect(text).toBe(JSON.stringify(context));
    const x = withContextText({ id: 'a1' }, text);
    expect(x.context).toEqual(context);
    x.context.reasons.push('tor');
    expect(x.context.reasons).toEqual(['unexpected_scraping', 'user_agent']);
  });

  it('is seen by spread, JSON and structured clone as an ordinary context field, and not the text', () => {
    const x = withContextText({ id: 'a1' }, contextText(context));
    expect({ ...x }).toEqual({ id: 'a1', context });
    expect(JSON.parse(JSON.stringify(x))).toEqual({ id: 'a1', context });
    expect(structuredClone(x)).toEqual({ id: 'a1', context });
    expect(Object.keys(x)).toEqual(['id', 'context']);
  });

  it('gives stores the kept text itself, and serializes an ordinary context', () => {
    const text = contextText(context);
    expect(contextJson(withContextText({}, text))).toBe(text);
    expect(contextJson({ context })).toBe(JSON.stringify(context));
  });

  it('passes the text on to another object without parsing it, or the object when there is no text', () => {
    const text = contextText(context);
    const carried = withContextOf(withContextText({ id: 'a1' }, text), { id: 'a1', status: 'open' });
    expect(contextJson(carried)).toBe(text);
    expect(carried.context).toEqual(context);
    const plain = withContextOf({ context }, { id: 'a2' });
    expect(plain.context).toBe(context);
  });
});
