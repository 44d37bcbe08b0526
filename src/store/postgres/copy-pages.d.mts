/**
 * A column of the scan: how it travels, and how many adjacent COPY fields make it (several for 'dict', two for a
 * 'text' pair).
 */
export interface CopyColumn {
  kind: 'num' | 'text' | 'dict';
  fields: number;
  /** A text column kept only where dictionary column `column` (an earlier one) holds one of `values`, and `unlessColumn` is NULL. */
  only?: { column: number; values: readonly string[]; unlessColumn?: number };
}

/** A page to post: the wire message (`workerPages` reads it) and the buffers to transfer. */
export interface CopyPage {
  message: { n: number; cols: unknown[]; done: boolean };
  transfer: ArrayBuffer[];
}

export function copyPageDecoder(opts: { columns: readonly CopyColumn[]; batchSize: number; maxDictSize: number }): {
  push(buf: Buffer, start?: number, end?: number): readonly CopyPage[];
  end(): CopyPage;
};
