/**
 * Handler sources shared by the runtime's tests (in-process and child-hosted environments run the same ones).
 * @module
 */

/** Counts its invocations; `{ spin: true }` never returns (the timeout's test). */
export const SPIN_SOURCE = `let n = 0;
export const handler = async (event) => { n++; if (event.spin) { for (;;) {} } return n; };`;

/** Ends its environment as asked: `{ how: 'exit' | 'uncaught' | 'rejection' }`; else answers 'fine'. */
export const CRASH_SOURCE = `export const handler = async (event) => {
  if (event.how === 'exit') process.exit(3);
  if (event.how === 'uncaught') { setTimeout(() => { throw new RangeError('late'); }, 1); await new Promise((r) => setTimeout(r, 1000)); }
  if (event.how === 'rejection') { Promise.reject(new Error('nobody catches me')); await new Promise((r) => setTimeout(r, 1000)); }
  return 'fine';
};`;
