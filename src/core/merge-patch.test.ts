import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePatch } from './merge-patch';

describe('mergePatch (RFC 7396)', () => {
  // The test cases of RFC 7396, Appendix A.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('applies the RFC example %j + %j', (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });

  const json = fc.jsonValue({ maxDepth: 3 });
  it('is idempotent: applying the same patch twice changes nothing more', () => {
    fc.assert(
      fc.property(json, json, (t, p) => {
        expect(mergePatch(mergePatch(t, p), p)).toEqual(mergePatch(t, p));
      }),
    );
  });

  it('patches a member named __proto__ as data, never as the prototype', () => {
    const patch = JSON.parse('{"__proto__": {"price": 5}, "a": {"__proto__": {"x": 1}}}');
    const out = mergePatch({ a: {} }, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'a']);
    expect(out['price']).toBeUndefined();
    const a = out['a'] as Record<string, unknown>;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(Object.hasOwn(a, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe('{"a":{"__proto__":{"x":1}},"__proto__":{"price":5}}');
  });

  it('does not modify its arguments', () => {
    fc.assert(
      fc.property(json, json, (t, p) => {
        const [t0, p0] = [structuredClone(t), structuredClone(p)];
        mergePatch(t, p);
        expect([t, p]).toEqual([t0, p0]);
      }),
    );
  });

  it('sets every non-null member of an object patch, and removes every null one', () => {
    const obj = fc.dictionary(fc.string(), fc.oneof(fc.constant(null), fc.integer(), fc.string()));
    fc.assert(
      fc.property(obj, obj, (t, p) => {
        const out = mergePatch(t, p) as Record<string, unknown>;
        for (const [k, v] of Object.entries(p)) {
          if (v === null) expect(Object.hasOwn(out, k)).toBe(false);
          else expect(out[k]).toEqual(v);
        }
      }),
    );
  });
});
