/**
 * Edit the allowlists of `gridwatch.yaml` in place for `gridwatch allowlist add|remove --to local`, keeping every
 * comment, blank line, key order and flow/block style: the `yaml` package's Document API edits the parsed tree and
 * prints it back, touching only the sequence items that change. The result is validated with the same schema the
 * loader uses, so an edit can never leave a file gridwatch refuses to start with.
 */
import { chmodSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type ToStringOptions } from 'yaml';
import type { AllowlistEntries } from '../store/actions.ts';
import { ConfigError, configFromYaml } from './load.ts';

const CIDRS = ['allowlists', 'trusted_cidrs'] as const;
const ASNS = ['allowlists', 'trusted_asns'] as const;

/** Parse a config text into an editable Document; YAML errors become a `ConfigError` naming the file. */
export function parse(text: string, file: string): Document {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new ConfigError(file, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  return doc;
}

/**
 * The config's `allowlists.trusted_cidrs` and `trusted_asns` as written (not defaulted or resolved).
 *
 * @example readLocalAllowlist('allowlists:\n  trusted_asns: [64500]\n', 'gridwatch.yaml') // { cidrs: [], asns: [64500] }
 */
export function readLocalAllowlist(text: string, file: string): AllowlistEntries {
  const cfg = configFromYaml(text, file, dirname(resolve(file)));
  return { cidrs: [...cfg.allowlists.trusted_cidrs], asns: [...cfg.allowlists.trusted_asns] };
}

/**
 * The printing options that reproduce the file's own layout: its indentation step, whether block sequences are
 * indented under their key, no padding inside `[a, b]`, and no re-folding of long lines (regexes stay on one line).
 */
export function layoutOf(text: string): ToStringOptions {
  const indents = [...text.matchAll(/^( +)\S/gm)].map((m) => m[1]!.length);
  const indent = indents.length ? Math.max(1, Math.min(...indents)) : 2;
  // A `- item` at the same column as the `key:` above it means sequences are not indented.
  const indentSeq = !/^( *)[\w-]+:[ \t]*(#.*)?\r?\n(?:\1#.*\r?\n)*\1- /m.test(text);
  return { indent, indentSeq, flowCollectionPadding: false, lineWidth: 0, minContentWidth: 0 };
}

/** Make `doc`'s sequence at `path` hold exactly `want`: drop items no longer wanted, append new ones at the end. */
function editSeq(doc: Document, path: readonly string[], want: readonly (string | number)[]): void {
  const node = doc.getIn(path, true);
  if (node === undefined || (isScalar(node) && node.value === null)) {
    if (want.length === 0) return;
    // A missing `allowlists:` or list is created; an empty `allowlists:` (null) becomes a map.
    const parent = doc.getIn(path.slice(0, -1), true);
    if (parent !== undefined && !isMap(parent) && !(isScalar(parent) && parent.value === null)) {
      throw new Error(`${path.slice(0, -1).join('.')} is not a mapping`);
    }
    if (isScalar(parent)) {
      // `allowlists:` with nothing under it is a null scalar: replace it by a map that keeps its comments.
      const map = doc.createNode({});
      map.commentBefore = parent.commentBefore;
      map.comment = parent.comment;
      doc.setIn(path.slice(0, -1), map);
    }
    doc.setIn(path, doc.createNode([...want]));
    return;
  }
  if (!isSeq(node)) throw new Error(`${path.join('.')} is not a list`);
  const remaining = [...want];
  // Walk backwards so deleting keeps the indices of the items not yet visited.
  for (let i = node.items.length - 1; i >= 0; i--) {
    const item = node.items[i];
    const v = isScalar(item) ? item.value : undefined;
    const at = remaining.findIndex((w) => w === v);
    if (at === -1) node.items.splice(i, 1);
    else remaining.splice(at, 1);
  }
  for (const w of want) if (remaining.includes(w)) (node.add(doc.createNode(w)), remaining.splice(remaining.indexOf(w), 1));
}

/**
 * The config text with its allowlists set to `next`, everything else (comments, layout, other keys) as it was.
 * `next` is normally `mergeAllowlist(readLocalAllowlist(text), ...)`.next, so existing entries keep their place.
 * Throws `ConfigError` when the result would not load.
 *
 * @example
 * const text2 = editLocalAllowlist(text, { cidrs: ['192.0.2.0/24'], asns: [64500] }, 'gridwatch.yaml');
 */
export function editLocalAllowlist(text: string, next: AllowlistEntries, file: string): string {
  const doc = parse(text, file);
  try {
    editSeq(doc, CIDRS, next.cidrs);
    editSeq(doc, ASNS, next.asns);
  } catch (e) {
    throw new ConfigError(file, [`cannot edit: ${(e as Error).message}`]);
  }
  const out = doc.toString(layoutOf(text));
  configFromYaml(out, file, dirname(resolve(file))); // validates; throws ConfigError naming the field
  return out;
}

/**
 * Replace a file's content atomically (write a sibling, then rename over it), keeping its permission bits, so a
 * crash never leaves half a config and a concurrent `gridwatch run` reads the old or the new file, never a mix.
 *
 * @example writeFileAtomic('gridwatch.yaml', text2)
 */
export function writeFileAtomic(file: string, text: string): void {
  const abs = resolve(file);
  const tmp = `${dirname(abs)}/.${abs.split('/').pop()}.${process.pid}.tmp`;
  const mode = statSync(abs).mode & 0o7777;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, abs);
}
