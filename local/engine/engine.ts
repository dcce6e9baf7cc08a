/**
 * The DynamoDB engine of the twin: DynamoDB Local by default, or any DynamoDB-compatible endpoint the user
 * names (option `endpoint`, or `DYNAMODB_ENDPOINT` in the env object given), in which case no Java is started
 * and `stop()` leaves that endpoint alone.
 * @module
 */
import {
  type DynamoDBLocalOptions,
  EngineStartError,
  pingDynamoDB,
  startDynamoDBLocal,
} from './dynamodb-local';

export interface EngineOptions extends DynamoDBLocalOptions {
  /** Use this endpoint instead of starting DynamoDB Local. */
  readonly endpoint?: string;
  /** Variables to read `DYNAMODB_ENDPOINT` from (pass `process.env` explicitly; it is only read). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A running (or borrowed) engine. */
export interface Engine {
  readonly endpoint: string;
  /** True when the endpoint was given rather than started here. */
  readonly external: boolean;
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
    return { endpoint, external: true, stop: async () => {} };
  }
  const { endpoint, stop } = await startDynamoDBLocal(opts);
  return { endpoint, external: false, stop };
}
