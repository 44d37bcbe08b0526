// Links for a rule's namespaced tags (as in Sigma): `attack.t1213` and `attack.t1078.004` are ATT&CK techniques.

/**
 * The attack.mitre.org page of an ATT&CK technique tag, or null for any other tag.
 *
 * @example attackUrl('attack.t1213') // 'https://attack.mitre.org/techniques/T1213/'
 * @example attackUrl('attack.t1078.004') // 'https://attack.mitre.org/techniques/T1078/004/'
 * @example attackUrl('attack.collection') // null
 */
export function attackUrl(tag: string): string | null {
  const m = /^attack\.t(\d{4})(?:\.(\d{3}))?$/i.exec(tag);
  if (!m) return null;
  return `https://attack.mitre.org/techniques/T${m[1]}/${m[2] ? `${m[2]}/` : ''}`;
}
