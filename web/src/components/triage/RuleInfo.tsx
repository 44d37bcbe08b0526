// What an alert's rule says about itself: description, known false positives, references and ATT&CK techniques.
import type { AlertRuleInfo } from '../../../../src/server/api-types.ts';
import { attackUrl } from '../../attack.ts';
import { Tag } from '../Badges.tsx';

/** Rule text comes from rule files (configured, not Slack's): shown as text, links only to http(s) as the schema checks. */
export function RuleInfo({ rule }: { rule: AlertRuleInfo | null }) {
  if (!rule) return <p className="muted">This alert's rule is not loaded by the server (disabled or removed since).</p>;
  return (
    <section data-testid="rule-info">
      <h3>About the rule: {rule.title}</h3>
      <p>{rule.description}</p>
      {rule.false_positives.length > 0 && (
        <>
          <h4>Known false positives</h4>
          <ul>{rule.false_positives.map((f, i) => <li key={i}>{f}</li>)}</ul>
        </>
      )}
      {rule.references.length > 0 && (
        <>
          <h4>References</h4>
          <ul>
            {rule.references.map((r) => (
              <li key={r} className="break">
                <a href={r} target="_blank" rel="noopener noreferrer">{r}</a>
              </li>
            ))}
          </ul>
        </>
      )}
      {rule.tags.length > 0 && (
        <p className="rule-tags">
          {rule.tags.map((t) => {
            const url = attackUrl(t);
            return url ? (
              <a key={t} href={url} target="_blank" rel="noopener noreferrer" className="tag-link" title="MITRE ATT&CK technique">
                <Tag>{t}</Tag>
              </a>
            ) : (
              <Tag key={t}>{t}</Tag>
            );
          })}
        </p>
      )}
    </section>
  );
}
