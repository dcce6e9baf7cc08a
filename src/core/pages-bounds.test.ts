/**
 * `pageReply`'s accounting at every byte of a small budget, against a plain statement of it: a page of `n`
 * entries fits when the entries (each as it sits in the result, plus a comma) and the cursor after the `n`th
 * fit in what the limit leaves after the envelope and the empty page.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RESULT_BYTES, pageReply } from './pages';

const ENVELOPE = 8 * 1024;
/** Bytes a piece of JSON takes inside the proxy result (a JSON string), less its quotes. */
const inResult = (json: string) => Buffer.byteLength(JSON.stringify(json)) - 2;

function expected(
  entries: unknown[],
  next: string | null,
  cursorAfter: (i: number) => string,
  maxBytes: number,
) {
  const budget = maxBytes - ENVELOPE - inResult(JSON.stringify({ items: [], nextCursor: null }));
  const cursorAt = (n: number) => (n === entries.length ? next : cursorAfter(n - 1));
  const bytes = (n: number) =>
    entries.slice(0, n).reduce<number>((sum, e) => sum + inResult(JSON.stringify(e)) + 1, 0) +
    inResult(JSON.stringify(cursorAt(n)));
  for (let n = entries.length; n > 1; n--) if (bytes(n) <= budget) return { n, cursor: cursorAt(n) };
  const n = Math.min(1, entries.length);
  return { n, cursor: cursorAt(n) };
}

describe('pageReply at every byte of the budget', () => {
  const entries = [
    { s: 'a"b' },
    { s: '\u0001\u0002' },
    { s: 'é😀' },
    { n: 12345 },
    { s: '\\' },
    { s: 'plain' },
  ];
  const cursorAfter = (i: number) => `cursor-${i}-${'"'.repeat(i)}`;

  it.each([null, 'next'])(
    'holds as many entries as fit, and the cursor after the last (next: %s)',
    (next) => {
      const base = ENVELOPE + inResult(JSON.stringify({ items: [], nextCursor: null }));
      for (let extra = 0; extra < 220; extra++) {
        const maxBytes = base + extra;
        const got = JSON.parse(pageReply('items', entries, next, cursorAfter, maxBytes).json!);
        const want = expected(entries, next, cursorAfter, maxBytes);
        expect({ extra, n: got.items.length, cursor: got.nextCursor }).toEqual({ extra, ...want });
        expect(got.items).toEqual(entries.slice(0, want.n));
      }
    },
  );

  it('is one entry at least, and an empty page is empty', () => {
    const big = [{ s: 'x'.repeat(100) }, { s: 'y' }];
    const r = JSON.parse(pageReply('entries', big, null, cursorAfter, ENVELOPE).json!);
    expect(r).toEqual({ entries: [big[0]], nextCursor: cursorAfter(0) });
    expect(JSON.parse(pageReply('entries', [], 'n', cursorAfter, ENVELOPE).json!)).toEqual({
      entries: [],
      nextCursor: 'n',
    });
    expect(pageReply('items', [], null, cursorAfter).status).toBe(200);
  });

  it('defaults to 6 MiB', () => {
    expect(MAX_RESULT_BYTES).toBe(6 * 1024 * 1024);
    const item = { s: 'x'.repeat(1024 * 1024 - 20) };
    const r = JSON.parse(
      pageReply('items', [item, item, item, item, item, item, item], 'n', cursorAfter).json!,
    );
    expect(r.items).toHaveLength(5);
    expect(r.nextCursor).toBe(cursorAfter(4));
  });
});
