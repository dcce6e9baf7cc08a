/**
 * The DynamoDB engine of the twin: DynamoDB Local by default, or any DynamoDB-compatible endpoint the user
 * names (option `endpoint`, or `DYNAMODB_ENDPOINT` in the env object given), in which case no Java is started
 * and `stop()` leaves that endpoint alone. DynamoDB Local is supervised (`supervisor.ts`): restarted on the
 * same port and data when it dies; a given endpoint is not ours to restart.
 * @module
 */
import type { Log } from '../types';
import {
  type DynamoDBLocalOptions,
  EngineStartError,
  pingDynamoDB,
  startDynamoDBLocal,
} from './dynamodb-local';
import { type EngineState, superviseEngine } from './supervisor';

export interface EngineOptions extends DynamoDBLocalOptions {
  /** Use this endpoint instead of starting DynamoDB Local. */
  readonly endpoint?: string;
  /** Variables to read `DYNAMODB_ENDPOINT` from (pass `process.env` explicitly; it is only read). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Restarts and fatal errors of DynamoDB Local. @default silent */
  readonly log?: Log;
  /** DynamoDB Local is gone for good (restarts failed, or it ran in memory). */
  readonly onFatal?: (error: Error) => void;
  /** DynamoDB Local answers again after a restart. */
  readonly onRestarted?: (restarts: number) => void;
  /** Delays before restart attempts (their number bounds them). @default 250 ms doubling, 6 attempts */
  readonly restartDelaysMs?: readonly number[];
}

/** A running (or borrowed) engine. */
export interface Engine {
  readonly endpoint: string;
  /** True when the endpoint was given rather than started here. */
  readonly external: boolean;
  /** The DynamoDB Local JVM's pid (undefined for a given endpoint, or while it restarts). */
  pid(): number | undefined;
  /** `up`, `restarting`, `failed` or `stopped` (a given endpoint is always `up`). */
  state(): EngineState;
  /** How many times DynamoDB Local was restarted. */
  restarts(): number;
  /** Signals the DynamoDB Local JVM as a crash would (`SIGKILL` by default); a no-op for a given endpoint. */
  kill(signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local, or checks that the given endpoint answers. */
export async function startEngine(opts: EngineOptions = {}): Promise<Engine> {
  const given = opts.endpoint ?? opts.env?.['DYNAMODB_ENDPOINT'];
  if (given) {
    const endpoint = given.replace(/\/+$/, '');
    if (!(await pingDynamoDB(endpoint))) {
      throw new EngineStartError(
        `No DynamoDB answers at ${endpoint} (DYNAMODB_ENDPOINT); start it or unset the variable.`,
      );
    }
    return {
      endpoint,
      external: true,
      pid: () => undefined,
      state: () => 'up',
      restarts: () => 0,
      kill: () => {},
      stop: async () => {},
    };
  }
  const supervised = await superviseEngine({
    start: (port) => startDynamoDBLocal({ ...opts, ...(port ? { port } : {}) }),
    inMemory: !opts.dataDir,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.onFatal ? { onFatal: opts.onFatal } : {}),
    ...(opts.onRestarted ? { onRestarted: opts.onRestarted } : {}),
    ...(opts.restartDelaysMs ? { restartDelaysMs: opts.restartDelaysMs } : {}),
  });
  return { ...supervised, external: false };
}
