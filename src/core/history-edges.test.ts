/** The edges of history entries: who a change is attributed to, which versions are valid, equal values. */
import { describe, expect, it } from 'vitest';
import { diffFields, entryFor, type HistoryEntry, sequenceOf } from './history';

const image = (over: Record<string, unknown> = {}) => ({
  _pk: 'p',
  id: 'x',
  createdAt: 'c',
  updatedAt: 'u',
  createdBy: 'alice',
  updatedBy: 'bob',
  version: 2,
  name: 'n',
  ...over,
});

describe('entryFor edges', () => {
  it('attributes a delete to the deleter, else the last writer, else "unknown"', () => {
    const del = (deleter?: string, old = image()) =>
      entryFor({ eventName: 'REMOVE', oldImage: old, at: 't', ...(deleter ? { deleter } : {}) }, 'acme');
    expect(del('carol').principal).toBe('carol');
    expect(del().principal).toBe('bob');
    const { updatedBy: _, ...anonymous } = image();
    expect(del(undefined, anonymous as ReturnType<typeof image>).principal).toBe('unknown');
    expect(del().changes).toEqual([{ field: 'name', before: 'n' }]);
    const ins = entryFor({ eventName: 'INSERT', newImage: anonymous, at: 't' }, 'acme');
    expect(ins.principal).toBe('unknown');
    expect(ins.operation).toBe('create');
  });

  it('refuses versions that are not positive integers', () => {
    for (const version of [0, -1, 1.5, '2', undefined, null]) {
      expect(() =>
        entryFor({ eventName: 'MODIFY', oldImage: image({ version }), newImage: image(), at: 't' }, 'a'),
      ).toThrow(new TypeError('image has no valid version'));
    }
    expect(
      entryFor({ eventName: 'MODIFY', oldImage: image({ version: 1 }), newImage: image(), at: 't' }, 'a'),
    ).toMatchObject({
      versionBefore: 1,
      versionAfter: 2,
      changes: [],
    });
  });

  it('leaves out server and storage fields from the changes', () => {
    const e = entryFor(
      {
        eventName: 'MODIFY',
        oldImage: image({ version: 1, _x: 1 }),
        newImage: image({ updatedAt: 'v', _x: 2 }),
        at: 't',
      },
      'a',
    );
    expect(e.changes).toEqual([]);
  });

  it('positions a delete one past the version it removed, and a change without versions first', () => {
    const entry = (versionBefore: number | null, versionAfter: number | null) =>
      ({ versionBefore, versionAfter }) as HistoryEntry;
    expect(sequenceOf(entry(4, null))).toBe(5);
    expect(sequenceOf(entry(null, 1))).toBe(1);
    expect(sequenceOf(entry(null, null))).toBe(1);
  });
});

describe('diffFields equality', () => {
  it('compares nested values by content, arrays apart from objects', () => {
    expect(diffFields({ a: { x: [1, { y: 2 }] } }, { a: { x: [1, { y: 2 }] } })).toEqual([]);
    expect(diffFields({ a: [1] }, { a: { 0: 1 } })).toEqual([{ field: 'a', before: [1], after: { 0: 1 } }]);
    expect(diffFields({ a: { x: 1 } }, { a: { x: 1, y: 2 } })).toHaveLength(1);
    expect(diffFields({ a: { x: 1 } }, { a: { y: 1 } })).toHaveLength(1);
    expect(diffFields({ a: null }, { a: {} })).toEqual([{ field: 'a', before: null, after: {} }]);
    expect(diffFields({ a: 1 }, { a: '1' })).toHaveLength(1);
    expect(diffFields(undefined, undefined)).toEqual([]);
  });
});
