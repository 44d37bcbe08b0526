/**
 * `match`: every event the rule's `where` accepts is a firing on its own.
 */
import type { CompiledRule } from '../compiled.ts';
import type { EventView } from '../event-view.ts';
import { TRIGGER, type Firing, type Horizons, type KeyEvaluator } from './types.ts';

export const matchHorizons: Horizons = { history: 0, forward: 0 };

class MatchEvaluator implements KeyEvaluator {
  lastTs = 0;
  constructor(private readonly rule: CompiledRule) {}

  push(v: EventView, roles: number, out: Firing[]): void {
    this.lastTs = v.norm.ts;
    if (roles & TRIGGER) out.push({ anchor: v.norm.ts, events: [v], severity: this.rule.severityOf(v), facts: {} });
  }

  flush(): void {}

  advance(): void {}

  pendingAnchor(): number {
    return Infinity;
  }
}

/**
 * @example const ev = matchEvaluator(rule); ev.push(view, TRIGGER, out)
 */
export function matchEvaluator(rule: CompiledRule): KeyEvaluator {
  return new MatchEvaluator(rule);
}
