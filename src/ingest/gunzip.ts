import { createGunzip } from 'node:zlib';

/**
 * Chunks of a stream, gunzipped on the fly when the data starts with the gzip magic bytes.
 *
 * @example
 * for await (const c of maybeGunzip(fs.createReadStream('x.jsonl.gz'))) ...
 */
export async function* maybeGunzip(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  if (first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b) {
    const gunzip = createGunzip();
    const feed = (async () => {
      try {
        if (!gunzip.write(first.value)) await onceDrain(gunzip);
        for await (const c of rest) if (!gunzip.write(c)) await onceDrain(gunzip);
        gunzip.end();
      } catch (e) {
        gunzip.destroy(e as Error);
      }
    })();
    for await (const c of gunzip as AsyncIterable<Buffer>) yield c;
    await feed;
    return;
  }
  yield first.value;
  yield* rest;
}

function onceDrain(s: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => s.once('drain', () => resolve()));
}

