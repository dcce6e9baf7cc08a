/**
 * Keeps DynamoDB Local running: when its JVM exits without being asked to (a crash, an OOM kill, SIGKILL), the
 * supervisor logs it and starts it again on the same port and data directory, so every endpoint the twin
 * handed out (the functions', the IAM guard's and proxy's, the stream pollers') stays valid. Attempts are
 * bounded, with backoff; when they run out it reports a fatal error once and stops trying.
 *
 * An in-memory engine is not restarted: its tables and data died with it, and serving empty tables would
 * turn every request into a confusing error; the supervisor reports a fatal error instead.
 * @module
 */
import type { Log } from '../types';
import type { DynamoDBLocal, EngineExit } from './dynamodb-local';

/** Where the supervised engine stands. */
export type EngineState = 'up' | 'restarting' | 'failed' | 'stopped';

export interface SupervisorOptions {
  /** Starts the engine on `port` (the first start chooses it). */
  readonly start: (port?: number) => Promise<DynamoDBLocal>;
  /** The engine keeps its data in memory: a restart would come back empty. @default false */
  readonly inMemory?: boolean;
  /** Delay before each restart attempt; their number bounds the attempts. @default 250 ms doubling, 6 attempts */
  readonly restartDelaysMs?: readonly number[];
  /** An engine that stays up this long gets the full number of attempts again. @default 60_000 */
  readonly stableAfterMs?: number;
  /** Called once the engine answers again after a restart. */
  readonly onRestarted?: (restarts: number) => void;
  /** Called once, when the engine is gone for good. */
  readonly onFatal?: (error: Error) => void;
  /** @default silent */
  readonly log?: Log;
}

/** A supervised engine. */
export interface SupervisedEngine {
  readonly endpoint: string;
  readonly port: number;
  /** The current JVM's pid (changes with each restart; undefined while none runs). */
  pid(): number | undefined;
  state(): EngineState;
  /** How many times it was restarted. */
  restarts(): number;
  /** Sends the current JVM a signal, as a crash would (tests). */
  kill(signal?: NodeJS.Signals): void;
  /** Stops the engine and the supervision. */
  stop(): Promise<void>;
}

const DEFAULT_DELAYS = [250, 500, 1000, 2000, 4000, 8000];

/** How an exit reads in a log line. */
export function describeExit(exit: EngineExit): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const last = exit.stderr.trim().split('\n').at(-1)?.trim();
  return last ? `${how}; it last said: ${last.slice(0, 300)}` : how;
}

/** Starts the engine and watches it. */
export async function superviseEngine(opts: SupervisorOptions): Promise<SupervisedEngine> {
  const log = opts.log ?? (() => {});
  const delays = opts.restartDelaysMs ?? DEFAULT_DELAYS;
  const stableAfterMs = opts.stableAfterMs ?? 60_000;
  let current: DynamoDBLocal | undefined = await opts.start();
  const { endpoint, port } = current;
  let state: EngineState = 'up';
  let restarts = 0;
  let upSince = Date.now();
  let attemptsLeft = delays.length;
  let stopping = false;
  let restarting: Promise<void> = Promise.resolve();
  // Wakes a restart's backoff when the twin stops, so stopping never waits for it.
  let wake: () => void = () => {};
  const pause = (ms: number) =>
    new Promise<void>((ok) => {
      const t = setTimeout(ok, ms);
      wake = () => {
        clearTimeout(t);
        ok();
      };
    });

  const fatal = (message: string) => {
    state = 'failed';
    current = undefined;
    const error = new Error(message);
    log(`FATAL: ${message}`);
    opts.onFatal?.(error);
  };

  const restart = async (): Promise<void> => {
    while (!stopping) {
      const attempt = delays.length - attemptsLeft;
      if (attemptsLeft <= 0) {
        fatal(
          `DynamoDB Local could not be restarted after ${delays.length} attempts on port ${port}; the twin stops.`,
        );
        return;
      }
      attemptsLeft--;
      await pause(delays[attempt] ?? 0);
      if (stopping) return;
      const t0 = Date.now();
      try {
        const next = await opts.start(port);
        if (stopping) {
          await next.stop();
          return;
        }
        current = next;
        state = 'up';
        upSince = Date.now();
        restarts++;
        log(
          `DynamoDB Local is back on port ${port} (restart ${restarts}, attempt ${attempt + 1}, ${((Date.now() - t0) / 1000).toFixed(1)} s); stream pollers resume from their checkpoints`,
        );
        watch(next);
        opts.onRestarted?.(restarts);
        return;
      } catch (e) {
        log(
          `DynamoDB Local restart attempt ${attempt + 1} of ${delays.length} failed: ${(e as Error).message}`,
        );
      }
    }
  };

  function watch(engine: DynamoDBLocal): void {
    void engine.exited.then((exit) => {
      if (stopping || current !== engine) return;
      current = undefined;
      if (opts.inMemory) {
        fatal(
          `DynamoDB Local (in memory) exited unexpectedly (${describeExit(exit)}). Its tables and data are gone with it, so it is not restarted and the twin stops; a persisted data dir (npm start's default) is restarted instead.`,
        );
        return;
      }
      if (Date.now() - upSince >= stableAfterMs) attemptsLeft = delays.length;
      state = 'restarting';
      log(
        `DynamoDB Local exited unexpectedly (${describeExit(exit)}); restarting it on port ${port} with the same data. Requests get 503 with Retry-After meanwhile.`,
      );
      restarting = restart();
    });
  }
  watch(current);

  return {
    endpoint,
    port,
    pid: () => current?.pid,
    state: () => state,
    restarts: () => restarts,
    kill: (signal = 'SIGKILL') => current?.kill(signal),
    async stop() {
      stopping = true;
      wake();
      if (state !== 'failed') state = 'stopped';
      await restarting;
      await current?.stop();
      current = undefined;
    },
  };
}
