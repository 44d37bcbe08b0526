/** The driver surface `copyOut` uses: a node-postgres client (its `query` takes a submittable). */
export interface CopyClient {
  query(submittable: unknown): unknown;
}

export interface CopyOut {
  /** Settles when the server has finished the statement (with its error if it failed). */
  done: Promise<void>;
  pause(): void;
  resume(): void;
}

export function copyOut(client: CopyClient, sql: string, onData: (buf: Buffer, start: number, end: number) => void): CopyOut;
