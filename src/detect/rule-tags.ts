/**
 * Rule tags, namespaced as in Sigma: `attack.t1213`, `attack.t1078.004`, `attack.collection` for MITRE ATT&CK, and
 * `<namespace>.<name>` for anything else (`slack.anomaly`, `gridwatch.response`). A bare tag (`T1213`,
 * `collection`) is refused with the namespaced form to write instead, so every rule file says the same thing the
 * same way and tools that read Sigma-style tags (ATT&CK navigators, SIEM mappings) understand them.
 */
import { z } from 'zod';

/** ATT&CK Enterprise tactics, in Sigma's spelling (lower case, `_` between words). */
export const ATTACK_TACTICS = [
  'reconnaissance', 'resource_development', 'initial_access', 'execution', 'persistence', 'privilege_escalation',
  'defense_evasion', 'credential_access', 'discovery', 'lateral_movement', 'collection', 'command_and_control',
  'exfiltration', 'impact',
] as const;

const TECHNIQUE = /^t\d{4}(\.\d{3})?$/;
/** ATT&CK groups (G0016) and software (S0154) ids, as Sigma allows them. */
const GROUP_OR_SOFTWARE = /^[gs]\d{4}$/;
const NAMESPACED = /^[a-z][a-z0-9_-]*\.[a-z0-9][a-z0-9_.:-]*$/;

/**
 * Why a tag is not valid, with the form to write instead; null when it is valid.
 *
 * @example tagProblem('T1213') // 'has no namespace: write attack.t1213 (tags are namespaced as in Sigma)'
 * @example tagProblem('attack.t1213') // null
 */
export function tagProblem(tag: string): string | null {
  const lower = tag.toLowerCase().replace(/-/g, '_');
  if (!tag.includes('.') || /^t\d{4}\.\d{3}$/i.test(tag)) {
    if (TECHNIQUE.test(lower)) return `has no namespace: write attack.${lower} (tags are namespaced as in Sigma)`;
    if ((ATTACK_TACTICS as readonly string[]).includes(lower)) return `has no namespace: write attack.${lower} (tags are namespaced as in Sigma)`;
    return `has no namespace: write <namespace>.<name>, e.g. gridwatch.${tag.toLowerCase()} (ATT&CK tags are attack.t1234 or attack.<tactic>)`;
  }
  if (!NAMESPACED.test(tag)) return 'must be lower case <namespace>.<name> (letters, digits, "_", "-", ".", ":")';
  if (tag.startsWith('attack.')) {
    const v = tag.slice('attack.'.length);
    if (TECHNIQUE.test(v) || GROUP_OR_SOFTWARE.test(v) || (ATTACK_TACTICS as readonly string[]).includes(v)) return null;
    const fixed = v.replace(/-/g, '_');
    if ((ATTACK_TACTICS as readonly string[]).includes(fixed)) return `write attack.${fixed} (tactics use "_" as in Sigma)`;
    return `not an ATT&CK technique (attack.t1234, attack.t1234.001), group, software or tactic (attack.${ATTACK_TACTICS.join(', attack.')})`;
  }
  return null;
}

/**
 * One rule tag, checked by `tagProblem`.
 *
 * @example TagSchema.parse('attack.collection')
 */
export const TagSchema = z.string().min(1).superRefine((v, ctx) => {
  const why = tagProblem(v);
  if (why) ctx.addIssue({ code: 'custom', message: `"${v}" ${why}` });
});
