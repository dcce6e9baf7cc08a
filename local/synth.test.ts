import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundlingProgress, synthesize, synthesizeCached, synthFingerprint } from './synth';

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

describe('Function: bundlingProgress', () => {
  it("turns the CDK's bundling lines, even split across chunks, into a start line and a summary", () => {
    const lines: string[] = [];
    let clock = 0;
    const p = bundlingProgress(
      (l) => lines.push(l),
      () => clock,
    );
    clock = 3000;
    p.output('some warning\nBundling asset CrudApi-local/Functions/Create/Code/Stag');
    p.output('e...\n  index.mjs 34kb\n');
    clock = 3500;
    p.output('Bundling asset CrudApi-local/Functions/Get/Code/Stage...\n');
    clock = 5500;
    p.output('Bundling asset CrudApi-local/Functions/List/Code/Stage...\n');
    clock = 6000;
    p.done(true);
    expect(lines).toEqual([
      "CDK app loaded in 3.0 s; bundling its functions' code...",
      'Bundled 3 assets in 3.0 s (slowest: Functions/Get, 2.0 s)',
    ]);
  });

  it('says nothing more when the app bundles nothing or fails', () => {
    const lines: string[] = [];
    bundlingProgress((l) => lines.push(l)).done(true);
    const failed = bundlingProgress((l) => lines.push(l));
    failed.output('Bundling asset S/Fn/Code/Stage...\n');
    failed.done(false);
    expect(lines).toEqual([expect.stringMatching(/^CDK app loaded in/)]);
  });
});

describe('Function: synthesize', () => {
  it("reports the app's bundling progress while it runs, in a handful of lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-progress-'));
    const app = join(dir, 'app.mjs');
    writeFileSync(
      app,
      `import { writeFileSync } from 'node:fs';
for (const fn of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I']) {
  console.error('Bundling asset S/Functions/' + fn + '/Code/Stage...');
  console.error('  index.mjs 30kb');
}
writeFileSync(process.env.CDK_OUTDIR + '/manifest.json', '{}');`,
    );
    const lines: string[] = [];
    await synthesize({ outDir: join(dir, 'out'), context: {}, app, log: (l) => lines.push(l) });
    expect(lines).toEqual([
      expect.stringMatching(/^CDK app loaded in \d+\.\d s; bundling/),
      expect.stringMatching(/^Bundled 9 assets in \d+\.\d s \(slowest: Functions\/[A-I], \d+\.\d s\)$/),
    ]);
  });
});
