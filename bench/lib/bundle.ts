/**
 * Bundles a handler exactly as the stack's `NodejsFunction` does (ESM, minified, `mainFields: module,main`,
 * platform node, target node22, the `createRequire` banner, nothing external).
 * @module
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Bundles `entry` to `<outDir>/index.mjs`; resolves with the file and its size in bytes. */
export async function bundleLikeTheStack(
  entry: string,
  outDir: string,
): Promise<{ file: string; bytes: number }> {
  const file = join(outDir, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'silent',
  });
  return { file, bytes: statSync(file).size };
}
