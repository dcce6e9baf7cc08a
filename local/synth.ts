/**
 * Synthesizes the CDK app by running it directly (not through the CDK CLI: ~4 s against ~14 s), with the
 * twin's context, into a folder of our choosing.
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from './types';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_APP = join(PROJECT_ROOT, 'infra', 'app.ts');

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
  const app = opts.app ?? DEFAULT_APP;
  const progress = bundlingProgress(opts.log ?? (() => {}));
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
      const text = b.toString();
      output += text;
      progress.output(text);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (e) => {
      progress.stop();
      reject(e);
    });
    child.on('exit', (code) => {
      progress.done(code === 0);
      if (code === 0) resolve(opts.outDir);
      else reject(new Error(`the CDK app failed (exit ${code}):\n${output.trim()}`));
    });
  });
}

/** What the CDK prints as it starts bundling an asset: `Bundling asset <Stack>/<path>/Code/Stage...`. */
const BUNDLING = /^Bundling asset (\S+?)(?:\/Code)?\/Stage\.\.\.$/gm;
/** A line at most this often while the assets bundle, so a slow bundling is not silent. */
const HEARTBEAT_MS = 5000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Turns the CDK's per-asset bundling lines into a few progress lines: when bundling starts (after the app
 * loaded), at most one every {@link HEARTBEAT_MS} while it runs, and a summary with the slowest asset. An asset's
 * time is from its line to the next one (or to the end of the synth for the last).
 */
export function bundlingProgress(log: Log, now: () => number = () => performance.now()) {
  const started = now();
  const assets: { name: string; at: number }[] = [];
  let lastLine = started;
  let timer: NodeJS.Timeout | undefined;
  let partial = ''; // a line split across two chunks of output
  const heartbeat = () => {
    const last = assets.at(-1);
    if (last) log(`  ...bundling ${last.name} (asset ${assets.length})`);
    lastLine = now();
  };
  return {
    output(text: string) {
      const lines = partial + text;
      const end = lines.lastIndexOf('\n') + 1;
      partial = lines.slice(end);
      for (const m of lines.slice(0, end).matchAll(BUNDLING)) {
        // `CrudApi-local/Functions/Create` -> `Functions/Create`: the stack name is the same on every line.
        const name = m[1]!.split('/').slice(1).join('/') || m[1]!;
        const at = now();
        if (assets.length === 0) {
          log(`CDK app loaded in ${seconds(at - started)}; bundling its functions' code...`);
          lastLine = at;
          timer = setInterval(() => {
            if (now() - lastLine >= HEARTBEAT_MS) heartbeat();
          }, 1000);
          timer.unref();
        }
        assets.push({ name, at });
      }
    },
    stop() {
      clearInterval(timer);
    },
    done(ok: boolean) {
      clearInterval(timer);
      if (!ok || assets.length === 0) return;
      const end = now();
      const spans = assets.map((a, i) => ({ name: a.name, ms: (assets[i + 1]?.at ?? end) - a.at }));
      const slowest = spans.reduce((a, b) => (b.ms > a.ms ? b : a));
      log(
        `Bundled ${assets.length} asset${assets.length === 1 ? '' : 's'} in ${seconds(end - assets[0]!.at)} ` +
          `(slowest: ${slowest.name}, ${seconds(slowest.ms)})`,
      );
    },
  };
}

/** The files and folders of this project whose content decides what the app synthesizes. */
const SYNTH_INPUTS = ['src', 'infra', 'package.json', 'package-lock.json', 'tsconfig.json', 'cdk.json'];
const FINGERPRINT_FILE = '.twin-synth-inputs';

/** Every file at or below `path`, in a stable order. */
function* filesAt(path: string): Generator<string> {
  if (!statSync(path).isDirectory()) {
    yield path;
    return;
  }
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() || e.isFile()) yield* filesAt(join(path, e.name));
  }
}

/**
 * A hash of everything a synth of our app depends on: the app's sources and lock file, the context, and the
 * variables `infra/config.ts` reads (`API_*`) or the CDK reads (`CDK_*`).
 */
export function synthFingerprint(
  context: Readonly<Record<string, unknown>>,
  app: string,
  env: NodeJS.ProcessEnv = process.env,
  root = PROJECT_ROOT,
): string {
  const h = createHash('sha256');
  h.update(app).update('\0').update(JSON.stringify(context));
  for (const k of Object.keys(env).sort())
    if (k.startsWith('API_') || k.startsWith('CDK_')) h.update(`\0${k}=${env[k]}`);
  for (const input of SYNTH_INPUTS) {
    const path = join(root, input);
    if (!existsSync(path)) continue;
    for (const f of filesAt(path)) h.update(`\0${relative(root, f)}\0`).update(readFileSync(f));
  }
  return h.digest('hex');
}

/**
 * {@link synthesize}, unless `outDir` already holds the assembly of a synth with the same inputs
 * ({@link synthFingerprint}): a restart with nothing changed skips the ~10 s synth. Resolves with whether it
 * reused the assembly.
 */
export async function synthesizeCached(opts: SynthOptions): Promise<{ dir: string; reused: boolean }> {
  const key = synthFingerprint(opts.context, opts.app ?? DEFAULT_APP);
  const marker = join(opts.outDir, FINGERPRINT_FILE);
  const manifest = join(opts.outDir, 'manifest.json');
  if (existsSync(manifest) && existsSync(marker) && readFileSync(marker, 'utf8') === key) {
    return { dir: opts.outDir, reused: true };
  }
  rmSync(marker, { force: true });
  opts.log?.(`Synthesizing the CDK app (${relative(PROJECT_ROOT, opts.app ?? DEFAULT_APP)})...`);
  const dir = await synthesize(opts);
  writeFileSync(marker, key);
  return { dir, reused: false };
}
