// @ts-check
/**
 * `npm run mutation`: StrykerJS over the domain (`src/core`), judged by its engine-free unit tests only
 * (`vitest.mutation.config.ts`). The score is in the README, under "Tests".
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/core/**/*.ts', '!src/core/**/*.test.ts'],
  coverageAnalysis: 'perTest',
  // Module-level constants (regular expressions, lists) are static mutants: each would rerun every test, most
  // of the run's time. They are reported as ignored, outside the score.
  ignoreStatic: true,
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: '.scratch/mutation/report.json' },
  tempDirName: '.scratch/stryker-tmp',
  // Reruns only mutants whose code or covering tests changed; the file is a local cache, kept out of git.
  incremental: true,
  incrementalFile: '.scratch/mutation/incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
};
