import type Database from 'better-sqlite3';

export declare const ROLLUP_STATE_KEY: string;
export interface RollupWriteStatements {
  position: Database.Statement;
  maxSeq: Database.Statement;
  setPosition: Database.Statement;
  volume: Database.Statement;
  actor: Database.Statement;
}
export declare function prepareRollupWrite(db: Database.Database): RollupWriteStatements;
export declare class BatchRollup {
  static begin(stmts: RollupWriteStatements): BatchRollup | null;
  constructor(stmts: RollupWriteStatements, position: number);
  add(seq: number, ts: number, action: string, actorId: string | null, name: string | null, email: string | null): void;
  commit(): void;
}
