import { describe, expect, it } from 'vitest';
import { backoff } from './backoff';

describe('backoff', () => {
  it('waits a jittered, doubling, capped delay, and gives up when the budget would be passed', async () => {
    let now = 0;
    const waits: number[] = [];
    const retry = backoff({
      budgetMs: 500,
      baseMs: 10,
      capMs: 200,
      random: () => 1,
      clock: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const answers: boolean[] = [];
    for (let i = 0; i < 8; i++) answers.push(await retry());
    // 10 + 20 + 40 + 80 + 160 = 310; the next (200, capped) would end at 510 > 500.
    expect(waits).toEqual([10, 20, 40, 80, 160]);
    expect(answers).toEqual([true, true, true, true, true, false, false, false]);
  });

  it('draws each wait uniformly below its bound (full jitter)', async () => {
    const waits: number[] = [];
    const retry = backoff({
      random: () => 0.25,
      clock: () => 0,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    for (let i = 0; i < 7; i++) await retry();
    expect(waits).toEqual([2.5, 5, 10, 20, 40, 50, 50]);
  });
});

describe('backoff defaults', () => {
  it('waits up to 10, 20, 40 ... 200 ms within a 2 s budget', async () => {
    let now = 1_000;
    const waits: number[] = [];
    const retry = backoff({
      random: () => 1,
      clock: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    while (await retry());
    expect(waits.slice(0, 6)).toEqual([10, 20, 40, 80, 160, 200]);
    // 310 ms, then 200 ms waits: 8 more fit in 2000 (1910), a ninth would end at 2110.
    expect(waits).toHaveLength(13);
    expect(now).toBe(1_000 + 310 + 8 * 200);
  });

  it('retries when the wait ends exactly at the deadline, not after', async () => {
    let now = 0;
    const retry = backoff({
      budgetMs: 10,
      random: () => 1,
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    expect(await retry()).toBe(true);
    expect(await retry()).toBe(false);
  });
});
