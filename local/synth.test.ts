import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeCached, synthFingerprint } from './synth';

describe('synth cache', () => {
  it('fingerprints the sources, the context and the API_/CDK_ variables, nothing else', () => {
    const root = mkdtempSync(join(tmpdir(), 'synth-fp-'));
    mkdirSync(join(root, 'src', 'core'), { recursive: true });
    writeFileSync(join(root, 'src', 'core', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'package-lock.json'), '{}');
    const fp = (ctx = {}, env: NodeJS.ProcessEnv = {}) => synthFingerprint(ctx, 'app.ts', env, root);
    const base = fp();
    expect(fp()).toBe(base);
    expect(fp({}, { HOME: '/elsewhere', PATH: '/bin' })).toBe(base);
    expect(fp({ stage: 'local' })).not.toBe(base);
    expect(fp({}, { API_THROTTLE_RATE: '5' })).not.toBe(base);
    expect(fp({}, { CDK_DEFAULT_REGION: 'eu-west-1' })).not.toBe(base);
    writeFileSync(join(root, 'src', 'core', 'a.ts'), 'export const a = 2;');
    expect(fp()).not.toBe(base);
    writeFileSync(join(root, 'src', 'core', 'a.ts'), 'export const a = 1;');
    expect(fp()).toBe(base);
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(fp()).not.toBe(base);
  });

  it('reuses an assembly only when its inputs are unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-cache-'));
    const runs = join(dir, 'runs.txt');
    const app = join(dir, 'app.mjs');
    // A stand-in app: writes a manifest where the CDK would, and counts its runs.
    writeFileSync(
      app,
      `import { appendFileSync, writeFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(runs)}, 'x');
writeFileSync(process.env.CDK_OUTDIR + '/manifest.json', process.env.CDK_CONTEXT_JSON);`,
    );
    const outDir = join(dir, 'out');
    const synth = (context: Record<string, unknown>) => synthesizeCached({ outDir, context, app });
    expect((await synth({ port: 1 })).reused).toBe(false);
    expect((await synth({ port: 1 })).reused).toBe(true);
    expect((await synth({ port: 2 })).reused).toBe(false);
    expect((await synth({ port: 1 })).reused).toBe(false);
    expect(readFileSync(runs, 'utf8')).toBe('xxx');
  });
});
