/** The loop of `npm run backfill` (scripts/backfill-run.ts), with a scripted function: pure logic only. */
import { describe, expect, it } from 'vitest';
import { type BackfillAnswer, parseResume, runBackfill } from '../scripts/backfill-run';

const answer = (segment: number, totalSegments: number, resumeKey: Record<string, unknown> | null) =>
  ({
    segment,
    totalSegments,
    scanned: 2,
    rewritten: 1,
    raced: 0,
    undeclared: 0,
    capacityUnits: 1.5,
    resumeKey,
  }) as BackfillAnswer;

describe('runBackfill', () => {
  it('invokes each segment until it has no resume key, passing each key back, and sums the answers', async () => {
    const events: Record<string, unknown>[] = [];
    const { totals, state } = await runBackfill(
      async (e) => {
        events.push(e);
        const seg = e.segment as number;
        return answer(seg, 2, e.startKey ? null : { _pk: { S: `k${seg}` } });
      },
      { segments: 2, unitsPerSecond: 100 },
      () => {},
    );
    expect(events).toHaveLength(4);
    expect(events.filter((e) => e.startKey).map((e) => e.startKey)).toEqual([
      { _pk: { S: 'k0' } },
      { _pk: { S: 'k1' } },
    ]);
    // The target rate is shared by the segments.
    expect(events.every((e) => e.unitsPerSecond === 50 && e.totalSegments === 2)).toBe(true);
    expect(totals).toEqual({ scanned: 8, rewritten: 4, raced: 0, undeclared: 0, capacityUnits: 6 });
    expect(state.pending).toEqual([]);
  });

  it('keeps where each unfinished segment stands when a call fails, and resumes from there', async () => {
    let calls = 0;
    const failing = async (e: Record<string, unknown>) => {
      if (++calls > 1) throw new Error('function timed out');
      return answer(e.segment as number, 1, { _pk: { S: 'here' } });
    };
    const err = (await runBackfill(failing, {}, () => {}).catch((e) => e)) as {
      state: unknown;
      message: string;
    };
    expect(err.message).toBe('function timed out');
    expect(err.state).toEqual({
      totalSegments: 1,
      pending: [{ segment: 0, startKey: { _pk: { S: 'here' } } }],
    });

    const resume = parseResume(JSON.stringify(err.state));
    const seen: unknown[] = [];
    await runBackfill(
      async (e) => {
        seen.push(e.startKey);
        return answer(0, 1, null);
      },
      { resume },
      () => {},
    );
    expect(seen).toEqual([{ _pk: { S: 'here' } }]);
  });

  it('refuses a resume value that is not one a run printed', () => {
    expect(() => parseResume('{"totalSegments":2,"pending":[{"segment":2}]}')).toThrow(/segment 2 of 2/);
    expect(() => parseResume('{"pending":[]}')).toThrow(/--resume must be/);
  });
});
