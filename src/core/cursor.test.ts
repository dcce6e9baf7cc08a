import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { BadRequest } from './errors';

const secret = 'test-secret';
const position = fc.record({ id: fc.uuid(), s: fc.string() }, { requiredKeys: ['id'] });

describe('cursors', () => {
  it('round-trip any position for the same query', () => {
    fc.assert(
      fc.property(position, fc.string(), (p, binding) => {
        expect(decodeCursor(encodeCursor(p, secret, binding), secret, binding)).toEqual(p);
      }),
    );
  });

  it('reject any single-character change', () => {
    fc.assert(
      fc.property(
        position,
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'),
        (p, at, ch) => {
          const c = encodeCursor(p, secret, 'q');
          const i = at % c.length;
          fc.pre(c[i] !== ch);
          const forged = c.slice(0, i) + ch + c.slice(i + 1);
          expect(() => decodeCursor(forged, secret, 'q')).toThrow(BadRequest);
        },
      ),
    );
  });

  it('reject a cursor of another query, another tenant or another key', () => {
    const c = encodeCursor({ id: 'x' }, secret, 'tenant-a|items');
    expect(() => decodeCursor(c, secret, 'tenant-b|items')).toThrow(BadRequest);
    expect(() => decodeCursor(c, 'other-secret', 'tenant-a|items')).toThrow(BadRequest);
  });

  it('reject arbitrary strings with a 400, never another error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (s) => {
        expect(() => decodeCursor(s, secret, 'q')).toThrow(BadRequest);
      }),
    );
  });
});
