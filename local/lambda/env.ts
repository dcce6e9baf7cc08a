/**
 * The environment variables of one Lambda execution environment, as an explicit object (the twin's own
 * `process.env` is never touched; each worker gets its own copy).
 *
 * Set, as Lambda documents its defined runtime environment variables: `_HANDLER`, `AWS_EXECUTION_ENV`
 * (`AWS_Lambda_<runtime>`), `AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
 * `AWS_LAMBDA_FUNCTION_VERSION` (`$LATEST`), `AWS_LAMBDA_INITIALIZATION_TYPE` (`on-demand`),
 * `AWS_LAMBDA_LOG_GROUP_NAME`, `AWS_LAMBDA_LOG_STREAM_NAME`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
 * `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` (dummies: DynamoDB Local accepts any),
 * `LAMBDA_TASK_ROOT`, `LAMBDA_RUNTIME_DIR`, `TZ` (`:UTC`), `LANG`, `PATH`, `NODE_PATH` (the twin's
 * node_modules, where the runtime's `@aws-sdk/*` come from, as `/var/runtime/node_modules` on Lambda).
 * Added for the twin: `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_DYNAMODB_STREAMS` (SDK v3 reads these
 * service-specific endpoints), so unmodified handlers reach the local engine.
 *
 * What matters in practice: the SDK reads the region, the credentials and the endpoint variables; Powertools and
 * similar libraries read the function name, memory and version. `TZ` is in the object, but a worker thread shares
 * the host's time zone (it is process-wide): run the twin with `TZ=UTC` for Lambda's clock. Not set:
 * `AWS_LAMBDA_RUNTIME_API` (there is no Runtime API), `_X_AMZN_TRACE_ID` (no X-Ray).
 * @module
 */
import type { FunctionSpec } from '../types';

export interface LambdaEnvOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  readonly endpoints?: { readonly dynamodb?: string; readonly dynamodbStreams?: string };
  /** The code folder (becomes `LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** This environment's log stream. */
  readonly logStreamName: string;
  /** Where the twin's own packages are (`@aws-sdk/*`), for `NODE_PATH`. */
  readonly runtimeNodeModules?: string;
  /** Directory of the worker bootstrap, for `LAMBDA_RUNTIME_DIR`. */
  readonly runtimeDir?: string;
  /** `PATH` inside the function. @default '/usr/local/bin:/usr/bin:/bin' */
  readonly path?: string;
}

/** The default log group of a function. */
export const logGroupOf = (spec: FunctionSpec): string =>
  spec.logGroupName ?? `/aws/lambda/${spec.functionName}`;

/** A log stream name in Lambda's shape: `YYYY/MM/DD/[$LATEST]<32 hex>`. */
export function logStreamName(now: Date, hex32: string): string {
  const d = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${d}/[$LATEST]${hex32}`;
}

/** Builds the variables of one execution environment (pure). */
export function lambdaEnvironment(spec: FunctionSpec, o: LambdaEnvOptions): Record<string, string> {
  const region = o.region ?? 'us-east-1';
  const env: Record<string, string> = {
    PATH: o.path ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    ...spec.environment,
    // Reserved: Lambda does not let functions set these, so they override the function's own.
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(spec),
    AWS_LAMBDA_LOG_STREAM_NAME: o.logStreamName,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    LAMBDA_TASK_ROOT: o.taskRoot,
    TZ: ':UTC',
  };
  if (o.runtimeDir) env['LAMBDA_RUNTIME_DIR'] = o.runtimeDir;
  if (o.runtimeNodeModules) {
    env['NODE_PATH'] = spec.environment['NODE_PATH']
      ? `${spec.environment['NODE_PATH']}:${o.runtimeNodeModules}`
      : o.runtimeNodeModules;
  }
  if (o.endpoints?.dynamodb) env['AWS_ENDPOINT_URL_DYNAMODB'] = o.endpoints.dynamodb;
  if (o.endpoints?.dynamodbStreams ?? o.endpoints?.dynamodb) {
    env['AWS_ENDPOINT_URL_DYNAMODB_STREAMS'] = (o.endpoints.dynamodbStreams ?? o.endpoints.dynamodb)!;
  }
  return env;
}
