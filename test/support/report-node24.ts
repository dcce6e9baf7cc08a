/**
 * Run by `test/node-versions.test.ts` under another Node than the test's: starts the Lambda runtime with one
 * `nodejs24.x` function that answers `process.version`, invokes it once, and prints what it saw as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseNode } from '../../local/lambda/node-select';
import { createLambdaRuntime, findRuntimeNodeModules } from '../../local/lambda/runtime';
import { testSpec, writeFixture } from '../../local/lambda/test-fixtures';

const root = mkdtempSync(join(tmpdir(), 'node24-'));
const dir = writeFixture(root, 'who', { 'index.mjs': 'export const handler = async () => process.version;' });
const nodeModules = findRuntimeNodeModules();
const lines: string[] = [];
const runtime = createLambdaRuntime({
  functions: [testSpec('Who', dir, 'nodejs24.x')],
  log: (l) => lines.push(l),
  nodeFor: (r) => chooseNode(r, { nodeModules }),
});
try {
  const result = await runtime.invoke('Who', {});
  process.stdout.write(
    `${JSON.stringify({ host: process.version, result, summary: lines.filter((l) => l.startsWith('Lambda:')) })}\n`,
  );
} finally {
  await runtime.stop();
  rmSync(root, { recursive: true, force: true });
}
