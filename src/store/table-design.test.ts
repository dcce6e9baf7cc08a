import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { items } from '../resources/items';
import { notes } from '../resources/notes';
import { indexesFor, SORT_SEPARATOR, sortableNumber, sortKeyFor } from './table-design';

const cmp = (a: string, b: string) =>
  Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0;

describe('table design', () => {
  it('encodes numbers so that byte order is numeric order', () => {
    const n = fc.double({ noNaN: true });
    fc.assert(
      fc.property(n, n, (a, b) => {
        const want = a === b || (a === 0 && b === 0) ? 0 : a < b ? -1 : 1;
        expect(cmp(sortableNumber(a), sortableNumber(b))).toBe(want);
      }),
    );
  });

  it('sorts a shorter string before its extensions, ties broken by id', () => {
    const a = sortKeyFor(notes, { title: 'a' }, 'id2');
    const b = sortKeyFor(notes, { title: 'a b' }, 'id1');
    expect(cmp(a, b)).toBe(-1);
    expect(a).toBe(`a${SORT_SEPARATOR}id2`);
  });

  it('derives one sort index and one index per filter slot', () => {
    expect(indexesFor([items, notes]).map((i) => i.name)).toEqual(['gsi1', 'gsi2']);
  });
});
