import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from './errors';
import { etagOf, ifMatchHolds, ifMatchVersions, noneMatch, parseTagCondition } from './etag';

const parse = (v: string) => parseTagCondition(v, 'If-Match');

function problemOf(v: string) {
  try {
    parse(v);
  } catch (e) {
    if (e instanceof ValidationFailed) return e.errors;
    throw e;
  }
  return undefined;
}

describe('conditional request headers (RFC 9110)', () => {
  it('parses lists with weak tags, empty elements, whitespace and commas inside tags', () => {
    expect(parse('"7", "1"')).toEqual({
      any: false,
      tags: [
        { weak: false, opaque: '"7"' },
        { weak: false, opaque: '"1"' },
      ],
    });
    expect(parse(' ,W/"1" ,\t"a,b",, ""')).toEqual({
      any: false,
      tags: [
        { weak: true, opaque: '"1"' },
        { weak: false, opaque: '"a,b"' },
        { weak: false, opaque: '""' },
      ],
    });
    expect(parse(' * ')).toEqual({ any: true });
    expect(parseTagCondition(undefined, 'If-Match')).toBeUndefined();
  });

  it('answers a value outside the grammar with a 400 naming the header', () => {
    for (const v of ['7', '"7', '"7" "8"', '*, "1"', 'w/"1"', '', ' , ', '"a b"', 'W/ "1"']) {
      const errors = problemOf(v);
      expect(errors, v).toHaveLength(1);
      expect(errors![0]!.pointer).toBe('/headers/if-match');
    }
    expect(() => parseTagCondition('x', 'If-None-Match')).toThrow(/if-none-match|If-None-Match|entity tag/);
    expect(problemOf(Array.from({ length: 101 }, (_, i) => `"${i + 1}"`).join(','))).toEqual([
      { pointer: '/headers/if-match', message: 'must list at most 100 entity tags' },
    ]);
  });

  it('If-Match: strong comparison over the whole list; * holds for any existing item', () => {
    expect(ifMatchHolds(parse('"7", "1"'), 1)).toBe(true);
    expect(ifMatchHolds(parse('"7", "1"'), 2)).toBe(false);
    expect(ifMatchHolds(parse('W/"1"'), 1)).toBe(false);
    expect(ifMatchHolds(parse('*'), 5)).toBe(true);
    expect(ifMatchHolds(undefined, 5)).toBe(true);
    expect(ifMatchVersions(parse('"7", W/"2", "1", "x", "01", "7"'))).toEqual([7, 1]);
    expect(ifMatchVersions(parse('W/"1"'))).toEqual([]);
    expect(ifMatchVersions(parse('*'))).toBe('any');
  });

  it('If-None-Match: weak comparison over the whole list; * matches any existing item', () => {
    expect(noneMatch(parseTagCondition('"7", W/"1"', 'If-None-Match'), 1)).toBe(false);
    expect(noneMatch(parseTagCondition('"7", "2"', 'If-None-Match'), 1)).toBe(true);
    expect(noneMatch(parseTagCondition('*', 'If-None-Match'), 1)).toBe(false);
    expect(noneMatch(undefined, 1)).toBe(true);
  });

  it('matches every version by its own tag, in any list position', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e12 }),
        fc.array(fc.integer({ min: 1, max: 1e12 })),
        (v, others) => {
          const list = [...others.map(etagOf), etagOf(v)].join(', ');
          expect(ifMatchHolds(parse(list), v)).toBe(true);
          expect(ifMatchVersions(parse(list))).toContain(v);
          expect(noneMatch(parse(`W/${etagOf(v)}`), v)).toBe(false);
        },
      ),
    );
  });
});
