/**
 * Builds `guard.ts` into one ES module that a Lambda environment (a worker thread, plain Node.js) can import:
 * the twin's sources are TypeScript and the environments run no loader.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

/**
 * Writes `<outDir>/iam-guard.mjs` and returns its file URL.
 * @example
 * const guardModule = buildIamGuard(join(dataDir, 'lambda'));
 */
export function buildIamGuard(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'iam-guard.mjs');
  buildSync({
    entryPoints: [fileURLToPath(new URL('./guard.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return pathToFileURL(outfile).href;
}
