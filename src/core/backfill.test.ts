import { describe, expect, it } from 'vitest';
import { backfillPlan, indexFix, isDerivedAttribute, isRewriteOnly, needsFix, paceDelayMs } from './backfill';

const pk = 'T#acme#R#orders';

describe('indexFix', () => {
  it('adds the filter attribute an item written before the field was declared lacks', () => {
    const record = { _pk: pk, _sk: 'a', _ssk: 'a', currency: 'EUR', version: 3 };
    const fix = indexFix(record, { _ssk: 'a', _f1pk: `${pk}#currency=EUR`, _ttl: undefined });
    expect([...fix.set]).toEqual([['_f1pk', `${pk}#currency=EUR`]]);
    expect(fix.remove).toEqual([]);
    expect(needsFix(fix)).toBe(true);
  });

  it('rewrites a stale attribute (the filter field at that position changed) and keeps a current one', () => {
    const record = { _ssk: 'x\u0001a', _f1pk: `${pk}#status=open`, _g1pk: pk };
    const fix = indexFix(record, { _ssk: 'x\u0001a', _g1pk: pk, _f1pk: `${pk}#currency=EUR` });
    expect([...fix.set]).toEqual([['_f1pk', `${pk}#currency=EUR`]]);
    expect(fix.remove).toEqual([]);
  });

  it('removes attributes of fields no longer declared, and those whose field has no keyable value', () => {
    const record = { _ssk: 'a', _g1pk: pk, _f1pk: 'x', _f2pk: 'y', _ttl: 5 };
    const fix = indexFix(record, { _ssk: 'a', _f1pk: undefined, _ttl: undefined });
    expect(fix.set.size).toBe(0);
    expect(fix.remove).toEqual(['_f1pk', '_f2pk', '_g1pk', '_ttl']);
  });

  it('is empty for an up-to-date record, so nothing is written', () => {
    const record = { _ssk: 'a', _f1pk: 'k', name: 'pen' };
    expect(needsFix(indexFix(record, { _ssk: 'a', _f1pk: 'k', _ttl: undefined }))).toBe(false);
  });

  it('never touches keys, fields, the version or names from Object.prototype', () => {
    const record = { _pk: pk, _sk: 'a', _type: 'item', version: 1, name: 'pen', toString: 'x' };
    const wanted = { _pk: 'other', _sk: 'b', _type: 'idem', version: 2, name: 'cup', __proto__: null };
    const fix = indexFix(record, wanted);
    expect(needsFix(fix)).toBe(false);
  });
});

describe('isDerivedAttribute', () => {
  it('names index keys and the TTL only', () => {
    for (const n of ['_ssk', '_g1pk', '_f1pk', '_f12pk', '_ttl']) expect(isDerivedAttribute(n), n).toBe(true);
    for (const n of ['_pk', '_sk', '_type', '_f0pk', '_fpk', 'version', '_f1pkx', 'constructor'])
      expect(isDerivedAttribute(n), n).toBe(false);
  });
});

describe('isRewriteOnly', () => {
  it('is true only when the version is the same number before and after', () => {
    expect(isRewriteOnly({ version: 2 }, { version: 2 })).toBe(true);
    expect(isRewriteOnly({ version: 2 }, { version: 3 })).toBe(false);
    expect(isRewriteOnly(undefined, { version: 1 })).toBe(false);
    expect(isRewriteOnly({}, {})).toBe(false);
  });
});

describe('paceDelayMs', () => {
  it('waits until the units consumed fit the target rate', () => {
    expect(paceDelayMs(100, 500, 50)).toBe(1500);
    expect(paceDelayMs(100, 2500, 50)).toBe(0);
    expect(paceDelayMs(0, 0, 50)).toBe(0);
  });
});

describe('backfillPlan', () => {
  it('fills the defaults', () => {
    expect(backfillPlan(undefined)).toEqual({
      totalSegments: 1,
      segment: 0,
      pageSize: 100,
      unitsPerSecond: 50,
      maxSeconds: 60,
    });
    expect(backfillPlan({ startKey: null }).startKey).toBeUndefined();
  });

  it('names the member that is out of range', () => {
    expect(() => backfillPlan({ segment: 2, totalSegments: 2 })).toThrow(/segment must be .* 0 to 1/);
    expect(() => backfillPlan({ pageSize: 0 })).toThrow(/pageSize/);
    expect(() => backfillPlan({ maxSeconds: 900 })).toThrow(/maxSeconds/);
    expect(() => backfillPlan({ startKey: 'x' })).toThrow(/startKey/);
    expect(() => backfillPlan([])).toThrow(/JSON object/);
  });
});
