// An error of a PostgreSQL connection held by a worker thread, as it crosses to the main thread: the message, plus
// what tells a lost connection from other errors (postgres/unreachable.ts), which a posted Error would drop (its code,
// the server's severity, the socket's address, and the mark a dying client puts on its errors). Plain JavaScript:
// the workers (scan-worker.mjs, sync-query-worker.mjs) do not inherit the TypeScript loader.

/** The mark `markConnectionLost` (unreachable.ts) sets: the same registered symbol. */
export const LOST_MARK = Symbol.for('gridwatch.pg.connectionLost');

/**
 * Mark an error a connection met as it died or failed to open (as unreachable.ts does for the pool's clients).
 *
 * @example client.on('error', markLost);
 */
export function markLost(e) {
  if (e && typeof e === 'object') e[LOST_MARK] = true;
}

/**
 * The posted form of `e`: `{ error, detail, lost }`; `errorFromWorker` (unreachable.ts) makes it an Error again.
 *
 * @example parentPort.postMessage(postedError(e));
 */
export function postedError(e) {
  const { code, severity, port, hostname, address } = e ?? {};
  return { error: e instanceof Error ? e.message : String(e), detail: { code, severity, port, hostname, address }, lost: e?.[LOST_MARK] === true };
}
