/**
 * Synthesizes the CDK app by running it directly (not through the CDK CLI: ~4 s against ~14 s), with the
 * twin's context, into a folder of our choosing.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from './types';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SynthOptions {
  /** Where the cloud assembly is written. */
  readonly outDir: string;
  /** CDK context values (`-c key=value`). */
  readonly context: Readonly<Record<string, unknown>>;
  /** @default `infra/app.ts` of this project */
  readonly app?: string;
  readonly log?: Log;
}

/** Runs the app; resolves with the assembly folder, or rejects with the app's own error output. */
export function synthesize(opts: SynthOptions): Promise<string> {
  mkdirSync(opts.outDir, { recursive: true });
  const app = opts.app ?? join(PROJECT_ROOT, 'infra', 'app.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', app], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: opts.outDir,
        CDK_CONTEXT_JSON: JSON.stringify(opts.context),
        // aws-cdk-lib's template validation is half of a synth; the stack's tests keep it on.
        CDK_VALIDATION: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (b: Buffer) => {
      output += b.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(opts.outDir);
      else reject(new Error(`the CDK app failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
