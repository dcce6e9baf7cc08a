/**
 * Handler folders and sources shared by the runtime's tests (in-process and child-hosted environments run the
 * same ones).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FunctionSpec } from '../types';

/** Writes a handler folder `root/name` with the given files; returns its path. */
export function writeFixture(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, src] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), src);
  }
  return dir;
}

/** The spec of a test function `Test-<logicalId>` running `index.handler` from `codeDir`. */
export function testSpec(
  logicalId: string,
  codeDir: string,
  runtime: string,
  extra: Partial<FunctionSpec> = {},
): FunctionSpec {
  return {
    logicalId,
    functionName: `Test-${logicalId}`,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:Test-${logicalId}`,
    handler: 'index.handler',
    runtime,
    memoryMb: 256,
    timeoutSeconds: 3,
    environment: {},
    codeDir,
    ...extra,
  };
}

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
