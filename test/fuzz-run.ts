/**
 * `npm run fuzz`: the fuzz suite's long run (10,000 cases unless `FUZZ_RUNS` says otherwise, seed from
 * `FUZZ_SEED`). It does not stop at the first violation: it counts them all, grouped, each with its
 * smallest case, and prints statuses, cases per second, memory before and after, and the seed. Exits 1 on any
 * violation or if the twin no longer serves a round trip.
 */
import fc from 'fast-check';
import { parseCommandLine } from '../local/cli-args';
import { fuzzCase, sizeCases } from './support/fuzz/requests';
import {
  fuzzOptions,
  memory,
  newStats,
  roundTrip,
  runCase,
  startFuzzTarget,
  trapTwinCrashes,
} from './support/fuzz/runner';
import { bigPageCase, contention } from './support/fuzz/slow-cases';

parseCommandLine(
  `usage: npm run fuzz

The fuzz suite's long run through a twin: statuses, cases per second, memory, violations.
Environment: FUZZ_RUNS (default 10000), FUZZ_SEED, FUZZ_NAMES=plain, FUZZ_SIZES=0, FUZZ_CONTENTION.

  -h, --help  this text`,
  {},
);
const { seed, runs } = fuzzOptions(10_000);
const target = await startFuzzTarget();
const untrap = trapTwinCrashes();
const stats = newStats();
const before = memory(target);
const started = performance.now();
let last = started;
await fc.assert(
  fc.asyncProperty(fuzzCase(target.world), async (c) => {
    await runCase(target, c, stats);
    if (performance.now() - last > 10_000) {
      last = performance.now();
      console.log(`... ${stats.cases} cases, ${stats.violations.size} kinds of violation`);
    }
  }),
  { seed, numRuns: runs },
);
const seconds = (performance.now() - started) / 1000;
const randomCases = stats.cases;
if (process.env.FUZZ_SIZES !== '0') {
  for (const c of sizeCases()) await runCase(target, c, stats);
  await runCase(target, await bigPageCase(target), stats);
}
// Its per-request violations are counted by runCase already; only the lost writes are added here.
for (const v of (await contention(target, stats)).filter((v) => v.kind === 'concurrent patches lost')) {
  const seen = stats.violations.get(v.kind);
  if (seen) seen.count++;
  else
    stats.violations.set(v.kind, {
      count: 1,
      example: '12 x PATCH /items/{id} {"price": n} at once',
      detail: v.detail,
    });
}
const after = memory(target);
const health = await roundTrip(target);
untrap();
await target.stop();

console.log(
  `\nfuzz: seed ${seed}, ${randomCases} generated cases + ${stats.cases - randomCases} set cases (sizes, a 6 MB page, concurrent patches)`,
);
console.log(
  `cases per second (generated): ${(randomCases / seconds).toFixed(1)} over ${seconds.toFixed(1)} s`,
);
console.log(
  'statuses:',
  [...stats.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', '),
);
console.log(
  `memory: RSS ${before.rssMb} -> ${after.rssMb} MB (main-thread heap in use ${before.heapMb} -> ${after.heapMb} MB); function environments ${before.environments} -> ${after.environments}`,
);
console.log(`after the run: ${health ?? 'create/get/list round trip ok'}`);
console.log(`violations: ${[...stats.violations.values()].reduce((n, v) => n + v.count, 0)}`);
for (const [kind, v] of [...stats.violations].sort(([, a], [, b]) => b.count - a.count)) {
  console.log(`\n- ${kind} (${v.count}x)\n  smallest: ${v.example}\n  answer: ${v.detail}`);
}
process.exit(stats.violations.size || health ? 1 : 0);
