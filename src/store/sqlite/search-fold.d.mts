import type BetterSqlite3 from 'better-sqlite3';

export const SEARCH_STATE_KEY: string;
export const FOLD_CHUNK: number;
/** The text folded into the index per event: the searched fields, one per line. */
export const SEARCH_TEXT: string;
export function prepareFold(db: BetterSqlite3.Database): { fold(max: number): number; position(): number; maxSeq(): number };
