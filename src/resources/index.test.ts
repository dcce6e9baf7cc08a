import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resources } from './index';

const here = dirname(fileURLToPath(import.meta.url));
/** Files of this folder that are not declarations. */
const NOT_DECLARATIONS = new Set(['index.ts', 'shapes.ts', 'validated.ts']);

/** A value `defineResource` returned: a name, a zod schema, and what is derived from them. */
function isDeclaration(v: unknown): v is { name: string } {
  return typeof v === 'object' && v !== null && 'name' in v && 'schema' in v && 'keyTypes' in v;
}

describe('the resource registry', () => {
  it('lists every declaration in src/resources: a declaration file left out would be silently ignored', async () => {
    const files = readdirSync(here).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !NOT_DECLARATIONS.has(f),
    );
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const declared = Object.values(await import(join(here, file))).filter(isDeclaration);
      expect(declared, `${file} declares no resource (defineResource)`).not.toEqual([]);
      for (const r of declared) {
        expect(
          resources.includes(r as (typeof resources)[number]),
          `src/resources/${file} declares "${r.name}", which src/resources/index.ts does not list`,
        ).toBe(true);
      }
    }
  });

  it('has unique names', () => {
    expect(new Set(resources.map((r) => r.name)).size).toBe(resources.length);
  });
});
