import { describe, expect, it } from 'vitest';
import { eventHasHidden, hasHidden, hiddenInRaw, isIpAddress, splitHidden, visibleText } from './untrusted.ts';

describe('hidden characters', () => {
  it('splits a right-to-left override out of a file name, with its escape and name', () => {
    expect(splitHidden('invoice\u202Exslx.exe')).toEqual(['invoice', { escape: '\\u202E', name: 'U+202E RIGHT-TO-LEFT OVERRIDE' }, 'xslx.exe']);
    expect(visibleText('invoice\u202Exslx.exe')).toBe('invoice\\u202Exslx.exe');
  });

  it('finds bidi marks, isolates, zero-width and control characters, tags and blank fillers', () => {
    for (const ch of ['\u200E', '\u200F', '\u202A', '\u202D', '\u2066', '\u2069', '\u061C', '\u200B', '\u200C', '\u2060', '\uFEFF', '\u00AD', '\u0000', '\u0007', '\n', '\u001B', '\u007F', '\u0085', '\u2028', '\u3164', '\u115F', '\u{E0041}']) {
      expect(hasHidden(`a${ch}b`), `U+${ch.codePointAt(0)!.toString(16)}`).toBe(true);
    }
    expect(visibleText('x\u{E0041}y\u0007')).toBe('x\\u{E0041}y\\u0007');
    expect(splitHidden('\u200B')).toEqual([{ escape: '\\u200B', name: 'U+200B ZERO WIDTH SPACE' }]);
  });

  it('leaves ordinary text alone: accents, other scripts, right-to-left letters, emoji built with joiners', () => {
    for (const s of ['Glengarry-Leads.xlsx', 'Zoë Ångström', 'שלום.pdf', '報告書.docx', 'Mozilla/5.0 (X11; Linux x86_64)', '👩‍💻 notes', '❤️‍🔥', 'tab-free', '']) {
      expect(hasHidden(s), s).toBe(false);
      expect(visibleText(s)).toBe(s);
    }
    // A joiner that joins no emoji is flagged.
    expect(hasHidden('ab\u200Dcd')).toBe(true);
    expect(hasHidden(null)).toBe(false);
  });

  it('flags an event by any string of its raw JSON, escaped or not, keys included', () => {
    expect(hiddenInRaw('{"file":{"name":"invoice\\u202exslx.exe"}}')).toBe(true);
    expect(hiddenInRaw('{"file":{"name":"invoice\u202Exslx.exe"}}')).toBe(true);
    expect(hiddenInRaw('{"a\\u200bb":1}')).toBe(true);
    expect(hiddenInRaw('{"file":{"name":"Glengarry-Leads.xlsx"},"n":[1,true,null]}')).toBe(false);
    const e = { action: 'file_downloaded', actor: { id: 'W1', name: 'Matt', email: null }, entity: { type: 'file', id: 'F1', name: 'a.xlsx' }, ip: '203.0.113.7', ua: null, session_id: null };
    expect(eventHasHidden(e)).toBe(false);
    expect(eventHasHidden({ ...e, entity: { ...e.entity, name: 'invoice\u202Exslx.exe' } })).toBe(true);
    expect(eventHasHidden({ ...e, ua: 'curl\u200B/8' })).toBe(true);
  });
});

describe('IP addresses', () => {
  it('accepts IPv4 and IPv6 addresses', () => {
    for (const ip of ['203.0.113.77', '0.0.0.0', '255.255.255.255', '10.0.0.1', '2001:db8::1', '::1', '::', 'fe80::1:2:3:4', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.1', '64:ff9b::203.0.113.7', '1:2:3:4:5:6:7::']) {
      expect(isIpAddress(ip), ip).toBe(true);
    }
  });

  it('refuses anything else: markup, hosts, ranges, out-of-range or leading-zero parts, zones, hidden characters', () => {
    for (const s of ['<img src=x onerror=alert(1)>', 'example.com', '203.0.113.0/24', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\u202E', '2001:db8:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', '12345::', 'g::1', '::ffff:300.1.1.1', 'javascript:alert(1)', '', null, undefined]) {
      expect(isIpAddress(s), String(s)).toBe(false);
    }
  });
});
