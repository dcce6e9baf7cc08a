/**
 * One CloudWatch embedded-metric-format (EMF) line per HTTP invocation: CloudWatch Logs extracts the metrics
 * from the log line itself, so there is no PutMetricData call, no SDK and no latency on the request.
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * (`_aws.Timestamp` in epoch ms, `_aws.CloudWatchMetrics[]` of `{Namespace, Dimensions, Metrics}`, each
 * dimension and metric a member of the root object).
 *
 * Metrics, by `Operation` and `Resource`: `Latency` (ms; its SampleCount is the request count),
 * `ConsumedCapacity` (DynamoDB capacity units the invocation consumed) and `Faults` (1 for a 5xx, else 0).
 * Emitted only when `POWERTOOLS_METRICS_NAMESPACE` is set (the stack sets it), at every log level.
 * @module
 */
import { type LambdaContextKeys, setLambdaContext } from './logger';

const NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE;

/** What the adapter knows about an invocation when it has its reply. */
export interface InvocationFacts {
  readonly operation: string;
  readonly resource?: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly consumedCapacity: number;
}

const METRICS = [
  { Name: 'Latency', Unit: 'Milliseconds' },
  { Name: 'ConsumedCapacity', Unit: 'Count' },
  { Name: 'Faults', Unit: 'Count' },
];

/** The EMF document of one invocation, as one log line (newline included). */
export function emfLine(namespace: string, facts: InvocationFacts, now: number): string {
  return `${JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [['Operation', 'Resource']], Metrics: METRICS },
      ],
    },
    // A dimension member must be a string: a request that matched no declared resource still counts.
    Operation: facts.operation,
    Resource: facts.resource ?? 'none',
    Latency: facts.durationMs,
    ConsumedCapacity: facts.consumedCapacity,
    Faults: facts.status >= 500 ? 1 : 0,
  })}\n`;
}

/** Records a finished invocation: its Lambda context for the log lines that follow, and its EMF line. */
export function observe(context: LambdaContextKeys, facts: InvocationFacts): void {
  setLambdaContext(context);
  if (NAMESPACE) process.stdout.write(emfLine(NAMESPACE, facts, Date.now()));
}
