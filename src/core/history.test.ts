import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffFields } from './history';
import { mergePatch } from './merge-patch';

describe('diffFields', () => {
  it('lists added, changed and removed fields in name order', () => {
    expect(diffFields({ a: 1, b: [1], c: 'x' }, { a: 2, b: [1], d: true })).toEqual([
      { field: 'a', before: 1, after: 2 },
      { field: 'c', before: 'x' },
      { field: 'd', after: true },
    ]);
  });

  it('a create lists every field as added; a delete every field as removed', () => {
    expect(diffFields(undefined, { n: 1 })).toEqual([{ field: 'n', after: 1 }]);
    expect(diffFields({ n: 1 }, undefined)).toEqual([{ field: 'n', before: 1 }]);
  });

  it('applying the diff as a merge patch turns the old version into the new one', () => {
    // Merge patch cannot carry a null inside a value, so values here hold none.
    const value = fc.oneof(
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.array(fc.integer()),
      fc.dictionary(fc.string(), fc.integer()),
    );
    const obj = fc.dictionary(fc.string({ minLength: 1 }), value);
    fc.assert(
      fc.property(obj, obj, (b, a) => {
        const patch = Object.fromEntries(
          diffFields(b, a).map((c) => [c.field, c.after === undefined ? null : c.after]),
        );
        const applied = mergePatch(structuredClone(b), patch) as Record<string, unknown>;
        expect(diffFields(applied, a)).toEqual([]);
      }),
    );
  });
});
