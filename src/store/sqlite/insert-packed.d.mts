import type Database from 'better-sqlite3';
import type { PackedBatch } from './packed.ts';
import type { RollupWriteStatements } from './rollup-write.mjs';

export declare const TEXT_COLUMNS: readonly string[];
export interface InsertStatements {
  event: Database.Statement;
  reason: Database.Statement;
  rollup: RollupWriteStatements;
}
export declare function prepareInsert(db: Database.Database): InsertStatements;
export declare function insertPacked(stmts: InsertStatements, p: PackedBatch, now: number): Uint8Array;
