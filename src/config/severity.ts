/**
 * The one severity scale, in a module of its own with no imports: the config schema, the sinks and the alert store
 * all use it, and the config schema itself imports the sinks' config.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];

/**
 * Rank of a severity for comparisons (info 0 … critical 4), case-insensitive; -1 for a value outside the scale.
 *
 * @example severityRank('high') > severityRank('medium') // true
 */
export function severityRank(s: string): number {
  return (SEVERITIES as readonly string[]).indexOf(s.toLowerCase());
}
