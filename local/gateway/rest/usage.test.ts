import { describe, expect, it } from 'vitest';
import { KeyIndex, periodStart, Quotas, stageThrottleFor, TokenBucket } from './usage';

describe('Class: TokenBucket', () => {
  it('starts full at burst and refills at rate', () => {
    const b = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(500)).toBe(true); // 0.5 s * 2/s = 1 token
    expect(b.take(500)).toBe(false);
    expect([b.take(10_000), b.take(10_000), b.take(10_000), b.take(10_000)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('never admits with a burst of 0', () => {
    expect(new TokenBucket({ rateLimit: 100, burstLimit: 0 }, 0).take(1000)).toBe(false);
  });
});

describe('Class: Quotas', () => {
  const day = Date.UTC(2030, 0, 15, 12);
  it('counts per period, with the offset used up in the initial period', () => {
    const q = new Quotas(day);
    const quota = { limit: 3, period: 'DAY' as const, offset: 1 };
    expect([q.take('k', quota, day), q.take('k', quota, day), q.take('k', quota, day)]).toEqual([
      true,
      true,
      false,
    ]);
    const next = day + 86_400_000;
    expect([
      q.take('k', quota, next),
      q.take('k', quota, next),
      q.take('k', quota, next),
      q.take('k', quota, next),
    ]).toEqual([true, true, true, false]);
  });

  it('starts weeks on Sunday and months on the 1st (UTC)', () => {
    expect(new Date(periodStart('WEEK', Date.UTC(2030, 0, 15, 12))).toISOString()).toBe(
      '2030-01-13T00:00:00.000Z',
    );
    expect(new Date(periodStart('MONTH', Date.UTC(2030, 0, 15, 12))).toISOString()).toBe(
      '2030-01-01T00:00:00.000Z',
    );
  });
});

describe('Class: KeyIndex', () => {
  const key = { logicalId: 'K', id: 'k', name: 'k', value: 'v', enabled: true };
  const plan = {
    logicalId: 'P',
    stages: [{ apiLogicalId: 'A', stage: 'dev', methodThrottles: new Map() }],
    keyLogicalIds: ['K'],
  };
  it('finds an enabled key in a plan for the API stage only', () => {
    expect(new KeyIndex([key], [plan]).lookup('v', 'A', 'dev')?.plan.logicalId).toBe('P');
    expect(new KeyIndex([key], [plan]).lookup('v', 'A', 'prod')).toBeUndefined();
    expect(new KeyIndex([{ ...key, enabled: false }], [plan]).lookup('v', 'A', 'dev')).toBeUndefined();
  });
});

describe('Function: stageThrottleFor', () => {
  it('prefers the most specific method setting', () => {
    const all = { rateLimit: 10, burstLimit: 10 };
    const one = { rateLimit: 1, burstLimit: 1 };
    const s = [
      { resourcePath: '/*', httpMethod: '*', throttle: all },
      { resourcePath: '/items', httpMethod: 'GET', throttle: one },
    ];
    expect(stageThrottleFor(s, '/items', 'GET')).toBe(one);
    expect(stageThrottleFor(s, '/items', 'POST')).toBe(all);
    expect(stageThrottleFor([], '/items', 'GET')).toBeUndefined();
  });
});
