import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RESULT_BYTES, pageReply } from './pages';

/** The proxy result as Lambda serializes it, with headers as large as ours get. */
function resultBytes(json: string): number {
  const headers = {
    'content-type': 'application/json',
    'access-control-allow-origin': 'https://an-allowed-origin.example.com',
    'access-control-expose-headers': 'ETag, Location, Retry-After, Idempotent-Replayed',
    vary: 'Origin',
  };
  return Buffer.byteLength(JSON.stringify({ statusCode: 200, headers, body: json }));
}

const cursorAfter = (i: number) => `c${i}`.padEnd(300, 'x');

describe('pageReply', () => {
  it('keeps a page that fits whole, with the store cursor', () => {
    const r = pageReply('items', [{ a: 1 }, { a: 2 }], 'next', cursorAfter);
    expect(JSON.parse(r.json!)).toEqual({ items: [{ a: 1 }, { a: 2 }], nextCursor: 'next' });
    expect(JSON.parse(pageReply('entries', [], null, cursorAfter).json!)).toEqual({
      entries: [],
      nextCursor: null,
    });
  });

  it('stops before the result passes 6 MB: 90 items of 10,000 control characters do not all fit', () => {
    const items = Array.from({ length: 90 }, (_, i) => ({ id: i, body: '\u0001'.repeat(10_000) }));
    const r = pageReply('items', items, 'next', cursorAfter);
    const body = JSON.parse(r.json!);
    expect(resultBytes(r.json!)).toBeLessThanOrEqual(MAX_RESULT_BYTES);
    expect(body.items.length).toBeLessThan(90);
    expect(body.items.length).toBeGreaterThan(80);
    // Continues right after the last item it holds.
    expect(body.nextCursor).toBe(cursorAfter(body.items.length - 1));
  });

  it('fits as many entries as the limit allows, whatever their characters', () => {
    const entry = fc.record({ s: fc.string({ unit: 'binary', maxLength: 400 }), n: fc.integer() });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 40 }),
        fc.integer({ min: 9_000, max: 30_000 }),
        (entries, max) => {
          const r = pageReply('items', entries, null, cursorAfter, max);
          const kept = JSON.parse(r.json!).items.length;
          expect(resultBytes(r.json!)).toBeLessThanOrEqual(max);
          if (kept < entries.length) {
            // One more would not have fitted in the budget (the limit less the room kept for the envelope).
            const more = pageReply('items', entries.slice(0, kept + 1), null, cursorAfter, max + 10_000);
            expect(resultBytes(more.json!)).toBeGreaterThan(max - 8 * 1024);
          }
        },
      ),
    );
  });
});
