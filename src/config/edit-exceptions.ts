/**
 * Add a rule exception to `gridwatch.yaml` in place (`gridwatch rules except`), keeping comments and layout: the
 * same Document-API editing as the allowlist edit (`edit.ts`), appending one item to
 * `rules.overrides.<rule>.exceptions` and creating the maps on the way when missing.
 */
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { ConfigError, configFromYaml } from './load.ts';
import { layoutOf, parse } from './edit.ts';
import type { RuleException } from './rule-exceptions.ts';

/** Make the node at `path` a map (creating it, or replacing an empty `key:` that YAML reads as null). */
function ensureMap(doc: Document, path: readonly string[]): void {
  const node = doc.getIn(path, true);
  if (node === undefined || (isScalar(node) && node.value === null)) {
    doc.setIn(path, doc.createNode({}));
    return;
  }
  if (!isMap(node)) throw new Error(`${path.join('.')} is not a mapping`);
}

/**
 * The config text with `exception` appended to the rule's exceptions, everything else as it was. Throws
 * `ConfigError` when the result would not load (an unknown rule id, a bad field).
 *
 * @example
 * const text2 = addRuleException(text, 'app-scopes-expanded', { app: 'A0PDF', reason: 'approved', author: 'cli:alice', created: '2025-06-01T09:00:00Z' }, 'gridwatch.yaml');
 */
export function addRuleException(text: string, ruleId: string, exception: RuleException, file: string): string {
  const doc = parse(text, file);
  const path = ['rules', 'overrides', ruleId];
  try {
    for (let i = 1; i <= path.length; i++) ensureMap(doc, path.slice(0, i));
    const list = doc.getIn([...path, 'exceptions'], true);
    if (list === undefined || (isScalar(list) && list.value === null)) doc.setIn([...path, 'exceptions'], doc.createNode([exception]));
    else if (isSeq(list)) list.add(doc.createNode(exception));
    else throw new Error(`${[...path, 'exceptions'].join('.')} is not a list`);
  } catch (e) {
    throw new ConfigError(file, [`cannot edit: ${(e as Error).message}`]);
  }
  const out = doc.toString(layoutOf(text));
  configFromYaml(out, file, dirname(resolve(file))); // validates; throws ConfigError naming the field
  return out;
}
