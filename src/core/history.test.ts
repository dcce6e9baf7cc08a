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

  it('setting each changed field to its new value, or removing it, turns the old version into the new one', () => {
    // A change carries whole values, so it is applied field by field: as a merge patch, an object value would
    // be merged into the old one instead of replacing it ({"o": {"a": 0}} patched with {"o": {}} keeps "a").
    const value = fc.oneof(
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer()),
      fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.constant(null))),
    );
    const obj = fc.dictionary(fc.string({ minLength: 1 }), value);
    fc.assert(
      fc.property(obj, obj, (b, a) => {
        const applied = structuredClone(b);
        for (const c of diffFields(b, a)) {
          if (Object.hasOwn(c, 'after'))
            Object.defineProperty(applied, c.field, {
              value: c.after,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else delete applied[c.field];
        }
        expect(diffFields(applied, a)).toEqual([]);
        expect(applied).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('a diff without object values, applied as a merge patch, turns the old version into the new one', () => {
    const value = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer()));
    const obj = fc.dictionary(fc.string({ minLength: 1 }), value);
    fc.assert(
      fc.property(obj, obj, (b, a) => {
        const patch = Object.fromEntries(
          diffFields(b, a).map((c) => [c.field, c.after === undefined ? null : c.after]),
        );
        expect(mergePatch(structuredClone(b), patch)).toEqual(a);
      }),
      { numRuns: 500 },
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

describe('diffFields with a member named __proto__', () => {
  it('sees a removed __proto__ member as removed, not as Object.prototype', () => {
    const before = JSON.parse('{"__proto__": {"a": 0}}') as Record<string, unknown>;
    expect(diffFields(before, {})).toEqual([{ field: '__proto__', before: { a: 0 } }]);
    expect(diffFields(before, JSON.parse('{"__proto__": {"a": 0}}'))).toEqual([]);
    expect(diffFields(JSON.parse('{"x": {"__proto__": 1}}'), { x: {} })).toHaveLength(1);
  });
});
