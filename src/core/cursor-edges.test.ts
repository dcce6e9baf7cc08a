/** The edges of cursor decoding, each with the message a client reads. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { BadRequest } from './errors';

const secret = 'k';
const MESSAGE = 'cursor is not valid for this query; start again without a cursor';

/** A cursor with a valid MAC over any body, as only the key holder can make. */
function signed(body: string, binding = 'q'): string {
  const mac = createHmac('sha256', secret).update(binding).update('\n').update(body).digest().subarray(0, 16);
  return `${body}.${mac.toString('base64url')}`;
}

const refused = (cursor: string) => {
  try {
    decodeCursor(cursor, secret, 'q');
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequest);
    return (e as Error).message;
  }
  return 'accepted';
};

describe('decodeCursor edges', () => {
  it('is the body, a dot, and a 16-byte MAC over the binding, a newline and the body', () => {
    const c = encodeCursor({ id: 'a' }, secret, 'q');
    const body = Buffer.from('{"id":"a"}').toString('base64url');
    expect(c).toBe(signed(body));
    expect(c.split('.')[1]).toHaveLength(22);
  });

  it('refuses a signed body that is not a JSON object', () => {
    for (const v of ['[1]', 'null', '3', '"s"', 'nope']) {
      expect(refused(signed(Buffer.from(v).toString('base64url')))).toBe(MESSAGE);
    }
    expect(decodeCursor(signed(Buffer.from('{"a":[1]}').toString('base64url')), secret, 'q')).toEqual({
      a: [1],
    });
  });

  it('refuses a cursor without a body, without a dot, or with a MAC of another length', () => {
    expect(refused(signed(''))).toBe(MESSAGE);
    expect(refused('abc')).toBe(MESSAGE);
    const c = encodeCursor({ id: 'a' }, secret, 'q');
    expect(refused(c.slice(0, -1))).toBe(MESSAGE);
    expect(refused(`${c}A`)).toBe(MESSAGE);
  });

  it('takes a cursor up to 2048 characters and refuses a longer one unread', () => {
    const sized = (n: number) => {
      for (let pad = 0; pad < 3000; pad++) {
        const c = encodeCursor({ id: 'x'.repeat(pad) }, secret, 'q');
        if (c.length >= n) return c;
      }
      throw new Error('unreachable');
    };
    const longest = sized(2046);
    expect(longest.length).toBeLessThanOrEqual(2048);
    expect(refused(longest)).toBe('accepted');
    const over = sized(2049);
    expect(over.length).toBeGreaterThan(2048);
    expect(refused(over)).toBe(MESSAGE);
  });
});
