import { describe, expect, it } from 'vitest';
import { rangeText } from './ip.ts';
import { packagedAsnDatabase } from './packaged-data.ts';

describe('rangeText and the shipped data blocks', () => {
  it('writes one aligned block as a CIDR and anything else as first-last', () => {
    expect(rangeText(4, 0x01010100n, 0x010101ffn)).toBe('1.1.1.0/24');
    expect(rangeText(4, 0x01010101n, 0x01010101n)).toBe('1.1.1.1/32');
    expect(rangeText(4, 0x01010180n, 0x0101027fn)).toBe('1.1.1.128-1.1.2.127'); // a /24's size, not aligned
    expect(rangeText(4, 0x01010100n, 0x01010102n)).toBe('1.1.1.0-1.1.1.2');
    expect(rangeText(6, 0x26064700n << 96n, (0x26064700n << 96n) + (1n << 96n) - 1n)).toBe('2606:4700::/32');
  });

  it("gives the block of the shipped ASN data that holds an address", () => {
    const db = packagedAsnDatabase();
    expect(db.network!('1.1.1.1')).toBe('1.1.1.0/24');
    expect(db.network!('2606:4700:4700::1111')).toMatch(/^2606:4700:/);
    expect(db.network!('192.0.2.1')).toBeNull();
  });
});
