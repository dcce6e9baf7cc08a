/**
 * Property-based HTTP fuzzing through the twin (issue 13): generated hostile requests over real HTTP, one
 * twin for the file, tenant A seeded with marked items and tenant B sending the cases. Every answer must keep
 * the invariants of `test/support/fuzz/invariants.ts`; afterwards the twin must still serve a round trip.
 * `FUZZ_SEED` replays a run (fast-check prints the seed of a failure), `FUZZ_RUNS` sets the number of cases;
 * `npm run fuzz` is the long run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzCase, sizeCases } from './support/fuzz/requests';
import {
  describeCase,
  type FuzzTarget,
  fuzzOptions,
  memory,
  newStats,
  roundTrip,
  runCase,
  startFuzzTarget,
  trapTwinCrashes,
} from './support/fuzz/runner';
import { bigPageCase, contention } from './support/fuzz/slow-cases';

let target: FuzzTarget;
let untrap: () => void;
let before: ReturnType<typeof memory>;
const stats = newStats();

beforeAll(async () => {
  target = await startFuzzTarget();
  untrap = trapTwinCrashes();
  before = memory(target);
});

afterAll(async () => {
  untrap?.();
  await target?.stop();
});

/** Sends the case and throws with every violation and the case, so fast-check's report reads as a repro. */
async function mustHold(c: Parameters<typeof runCase>[1]): Promise<void> {
  const violations = await runCase(target, c, stats);
  if (violations.length) {
    throw new Error(
      `${violations.map((v) => `${v.kind}: ${v.detail}`).join('\n')}\nrequest: ${describeCase(c)}`,
    );
  }
}

describe('HTTP fuzzing through the twin', () => {
  it('keeps every invariant on generated hostile requests', { timeout: 180_000 }, async () => {
    const { seed, runs } = fuzzOptions(300);
    await fc.assert(fc.asyncProperty(fuzzCase(target.world), mustHold), {
      seed,
      numRuns: runs,
      // Bounds the shrinking of a failure too: what it reached by then is reported.
      interruptAfterTimeLimit: 120_000,
    });
  });

  it('keeps them just under and past 6 MB and 10 MB', { timeout: 120_000 }, async () => {
    for (const c of sizeCases()) await mustHold(c);
  });

  it('keeps them on a list page whose items add up to more than 6 MB', { timeout: 120_000 }, async () => {
    await mustHold(await bigPageCase(target));
  });

  it('keeps them under a burst of concurrent patches to one item, losing none', {
    timeout: 60_000,
  }, async () => {
    expect(await contention(target, stats)).toEqual([]);
  });

  it('still serves a create/get/list round trip afterwards, in bounded memory', async () => {
    expect(await roundTrip(target)).toBeUndefined();
    const after = memory(target);
    console.log(
      `fuzz: ${stats.cases} cases; RSS ${before.rssMb} -> ${after.rssMb} MB (main-thread heap in use ${before.heapMb} -> ${after.heapMb} MB); environments ${before.environments} -> ${after.environments}`,
    );
    // The 10 MB bodies are held several times over (socket, gateway, event, worker) and RSS seldom shrinks
    // back: the bound catches growth without limit, not the size of one run.
    expect(after.rssMb - before.rssMb).toBeLessThan(768);
    const maxEnvironments = target.twin.lambda.stats().reduce((n, s) => n + s.maxConcurrency + 1, 0);
    expect(after.environments).toBeLessThanOrEqual(maxEnvironments);
  });
});
