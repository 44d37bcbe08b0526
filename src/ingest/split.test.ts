import { describe, expect, it } from 'vitest';
import { splitCandidates, type Candidate } from './split.ts';

async function candidates(text: string, chunkSize = 1 << 20): Promise<Candidate[]> {
  const bytes = Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: Candidate[] = [];
  for await (const batch of splitCandidates(chunks())) out.push(...batch);
  return out;
}

const show = (c: Candidate) => ({ position: c.position, text: c.text ?? c.bytes!.toString('utf8'), error: c.error });

describe('splitCandidates: a document that starts with a UTF-8 BOM', () => {
  const a = { id: 'a', date_create: 1700000000, action: 'user_login' };
  const b = { id: 'b', date_create: 1700000001, action: 'file_downloaded' };
  const expected = [
    { position: 'element 0', text: JSON.stringify(a, null, 2).replace(/\n/g, '\n  '), error: undefined },
    { position: 'element 1', text: JSON.stringify(b, null, 2).replace(/\n/g, '\n  '), error: undefined },
  ];

  it('reads a pretty-printed array element by element, with nothing quarantined', async () => {
    const text = `\ufeff${JSON.stringify([a, b], null, 2)}\n`;
    expect((await candidates(text)).map(show)).toEqual(expected);
    // Split across chunk boundaries, the BOM included, the result is the same.
    expect((await candidates(text, 2)).map(show)).toEqual(expected);
  });

  it('reads pretty-printed objects in a row the same way', async () => {
    const text = `\ufeff${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, 2)}\n`;
    expect((await candidates(text)).map((c) => [c.position, c.error, JSON.parse(show(c).text).id])).toEqual([
      ['object 1', undefined, 'a'],
      ['object 2', undefined, 'b'],
    ]);
  });
});
