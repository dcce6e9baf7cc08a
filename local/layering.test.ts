/**
 * The twin serves any CDK app's synthesized template, so nothing under `local/` (its tests included) imports the
 * app's own code from `src/`: tests that need it go through `test/support/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOCAL = import.meta.dirname;
const ROOT = join(LOCAL, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.(ts|mts|mjs|js)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

describe('local/', () => {
  it('imports nothing from src/', () => {
    const offenders = sources(LOCAL).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)]
        .map((m) => m[1]!)
        .filter(
          (spec) =>
            spec.startsWith('.') && relative(ROOT, join(file, '..', spec)).split(/[\\/]/)[0] === 'src',
        )
        .map((spec) => `${relative(ROOT, file)}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
