import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffFields, entryFor, sequenceOf } from './history';
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

describe('entryFor', () => {
  const base = {
    _pk: 'T#acme#R#items',
    _sk: 'x',
    _type: 'item',
    id: 'x',
    createdAt: 't0',
    createdBy: 'alice',
  };
  it('describes a create, an update and a delete with who, versions and field changes', () => {
    const v1 = { ...base, name: 'pen', price: 1, version: 1, updatedBy: 'alice', updatedAt: 't1' };
    const v2 = { ...v1, price: 2, version: 2, updatedBy: 'bob', updatedAt: 't2' };
    expect(entryFor({ eventName: 'INSERT', newImage: v1, at: 't1' }, 'acme')).toEqual({
      at: 't1',
      operation: 'create',
      principal: 'alice',
      tenant: 'acme',
      versionBefore: null,
      versionAfter: 1,
      changes: [
        { field: 'name', after: 'pen' },
        { field: 'price', after: 1 },
      ],
    });
    const update = entryFor({ eventName: 'MODIFY', oldImage: v1, newImage: v2, at: 't2' }, 'acme');
    expect(update).toMatchObject({
      operation: 'update',
      principal: 'bob',
      versionBefore: 1,
      versionAfter: 2,
    });
    expect(update.changes).toEqual([{ field: 'price', before: 1, after: 2 }]);
    const del = entryFor({ eventName: 'REMOVE', oldImage: v2, at: 't3', deleter: 'carol' }, 'acme');
    expect(del).toMatchObject({
      operation: 'delete',
      principal: 'carol',
      versionBefore: 2,
      versionAfter: null,
    });
    expect(sequenceOf(del)).toBe(3);
    expect(sequenceOf(update)).toBe(2);
  });

  it('refuses an image without a valid version (a poison record)', () => {
    expect(() =>
      entryFor({ eventName: 'INSERT', newImage: { ...base, version: 'one' }, at: 't' }, 'acme'),
    ).toThrow(TypeError);
  });
});
