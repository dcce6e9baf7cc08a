import { defineConfig } from 'vitest/config';

/**
 * The engine-free tests of the domain and of the in-memory adapter: what `npm run mutation` (Stryker) runs
 * for each mutant of `src/core`. No DynamoDB Local, no twin, so a mutant is judged in milliseconds.
 */
export default defineConfig({
  test: {
    include: ['src/core/**/*.test.ts', 'src/store/memory-store.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    setupFiles: ['./vitest.mutation.setup.ts'],
  },
});
