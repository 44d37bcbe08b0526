// `COPY ... TO STDOUT` on a node-postgres client, with each CopyData message's bytes handed over where they lie in
// the socket's chunks: the replay scan's worker (scan-worker.mjs) decodes them in place (copy-pages.mjs).
//
// Why not pg-copy-streams: the server sends one CopyData message per row, and that stream made a Buffer for every
// message and copied the payloads into a new Buffer per socket read. Measured on the bench's 10M rows (3 GB): receiving
// them without decoding took 4.8 s of user CPU through it and 2.8 s here; with decoding, 13.0 and 12.1 s, and the worker's
// garbage collection 1.3 and 0.8 s (fewer short-lived Buffers). The takeover is the one pg-copy-streams uses:
// the client's data listener is set aside while the COPY runs, and the bytes after CopyDone (CommandComplete,
// ReadyForQuery), or from an ErrorResponse on, are handed back to it, so the client reports the end and any error.
//
// Plain JavaScript: it runs in a worker thread, which does not load TypeScript.

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_OUT_RESPONSE = 0x48; // 'H'
/** Messages the server may send in the middle of a COPY (protocol "Copy-out mode"): skipped. */
const ASIDE = new Set([0x4e /* 'N' notice */, 0x53 /* 'S' parameter status */, 0x41 /* 'A' notification */]);

const int32At = (buf, p) => ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;

/**
 * Run `sql` (a `COPY ... TO STDOUT` statement) on a connected, idle `pg.Client`. `onData(buf, start, end)` receives the
 * bytes of each CopyData message (a view of the socket's chunk: use it before returning). `pause()` / `resume()` stop
 * and restart reading the socket (the server waits); `done` settles when the server has finished the statement, with
 * its error if it failed.
 *
 * @example
 * const copy = copyOut(client, 'COPY (SELECT id FROM events) TO STDOUT (FORMAT binary)', (buf, s, e) => decoder.push(buf, s, e));
 * await copy.done;
 */
export function copyOut(client, sql, onData) {
  let socket = null;
  let clientListener = null;
  /** The start of a message cut by a socket chunk's end (its header may be cut too). */
  let partial = null;
  let paused = false;
  let resolve;
  let reject;
  const done = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  let failed = false;

  /** Hand the socket back to the client, with the bytes from `p` on (CommandComplete, ReadyForQuery or an error). */
  function detach(buf, p) {
    const s = socket;
    // Before the client sees the bytes: it may report an error from them at once (handleError, below).
    socket = null;
    s.removeListener('data', onChunk);
    s.on('data', clientListener);
    if (paused) s.resume();
    paused = false;
    if (p < buf.length) clientListener(buf.subarray(p));
  }

  /** One whole message at `p`; false once the COPY is over (the socket is handed back from there). */
  function message(buf, p, end) {
    const code = buf[p];
    if (code === COPY_DATA) onData(buf, p + 5, end);
    else if (code === COPY_DONE) {
      detach(buf, end);
      return false;
    } else if (code !== COPY_OUT_RESPONSE && !ASIDE.has(code)) {
      // ErrorResponse (or anything unexpected): the client parses it and reports it through handleError.
      detach(buf, p);
      return false;
    }
    return true;
  }

  function onChunk(chunk) {
    let buf = chunk;
    let p = 0;
    if (partial && partial.length < 5) {
      // The cut fell inside a header: join it to the chunk (rare: a few bytes in a row's few hundred).
      buf = Buffer.concat([partial, chunk]);
      partial = null;
    } else if (partial) {
      // Complete the cut message from this chunk: a copy of one message, not of the chunk.
      const have = partial.length;
      const total = 1 + int32At(partial, 1);
      if (have + chunk.length < total) {
        partial = Buffer.concat([partial, chunk]);
        return;
      }
      const whole = Buffer.concat([partial, chunk.subarray(0, total - have)]);
      partial = null;
      p = total - have;
      if (!message(whole, 0, total)) {
        // The rest of this chunk is the client's too.
        if (p < chunk.length) clientListener(chunk.subarray(p));
        return;
      }
    }
    const n = buf.length;
    while (p + 5 <= n) {
      const end = p + 1 + int32At(buf, p + 1);
      if (end > n) break;
      if (!message(buf, p, end)) return;
      p = end;
    }
    if (p < n) partial = buf.subarray(p);
  }

  client.query({
    submit(connection) {
      socket = connection.stream;
      const listeners = socket.listeners('data');
      if (listeners.length !== 1) throw new Error(`copyOut: expected the client's one data listener on its socket, found ${listeners.length}`);
      clientListener = listeners[0];
      socket.removeListener('data', clientListener);
      socket.on('data', onChunk);
      if (paused) socket.pause();
      connection.query(sql);
    },
    handleError(err) {
      failed = true;
      if (socket) detach(Buffer.alloc(0), 0);
      reject(err);
    },
    handleCommandComplete() {},
    handleReadyForQuery() {
      if (!failed) resolve();
    },
  });

  return {
    done,
    pause() {
      if (socket && !paused) socket.pause();
      paused = true;
    },
    resume() {
      if (socket && paused) socket.resume();
      paused = false;
    },
  };
}
