/**
 * Structured JSON logs, one object a line, with the standard keys of Powertools for AWS Lambda (TypeScript)
 * Logger: `level`, `message`, `service`, `timestamp`, `xray_trace_id`, and, once the handler has handed over
 * its Lambda context ({@link setLambdaContext}), `cold_start`, `function_arn`, `function_memory_size`,
 * `function_name`, `function_request_id`. The same CloudWatch Logs Insights queries and Powertools-aware
 * tooling work on them; Powertools Logger itself would add its load to every cold start, this is a few lines.
 * No `sampling_rate`: we do not sample debug logs.
 * @module
 */
import { config } from './config';

const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 99 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;
const threshold = LEVELS[config.logLevel as keyof typeof LEVELS] ?? LEVELS.INFO;

/** The part of the Lambda context the logger reports. */
export interface LambdaContextKeys {
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly functionName?: string;
  readonly memoryLimitInMB?: string;
}

let lambda: Record<string, unknown> = {};
let invocations = 0;

/**
 * Adds the invocation's Lambda keys to every following line, as Powertools' `injectLambdaContext` does.
 * Lambda runs one invocation at a time in an execution environment, so the keys stay right until the next.
 */
export function setLambdaContext(context: LambdaContextKeys): void {
  lambda = {
    cold_start: invocations++ === 0,
    function_arn: context.invokedFunctionArn,
    function_memory_size: Number(context.memoryLimitInMB) || undefined,
    function_name: context.functionName,
    function_request_id: context.awsRequestId,
  };
}

/**
 * The trace id (`Root=...`) of the current invocation. The runtime sets `_X_AMZN_TRACE_ID` afresh for every
 * invocation, so it is read per line rather than once with the configuration.
 */
function traceId(): string | undefined {
  const header = process.env._X_AMZN_TRACE_ID;
  return header ? /(?:^|;)Root=([^;]+)/.exec(header)?.[1] : undefined;
}

function serializeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    ...(e.cause ? { cause: serializeError(e.cause) } : {}),
  };
}

/** Writes a log line at `level` with `fields`; errors in `fields.error` are serialized with their stack. */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold) return;
  const line = {
    ...lambda,
    level,
    message,
    service: config.service,
    timestamp: new Date().toISOString(),
    xray_trace_id: traceId(),
    ...fields,
    ...(fields.error ? { error: serializeError(fields.error) } : {}),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
