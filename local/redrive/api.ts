/**
 * The three AWS APIs a redrive speaks, as SigV4-signed HTTP requests (`aws4`, as `src/store/dynamodb.ts`
 * signs): SQS (`ReceiveMessage`, `DeleteMessage`, JSON protocol), DynamoDB Streams (`GetShardIterator`,
 * `GetRecords`) and Lambda (`Invoke`, `ListEventSourceMappings`). Building a request is pure
 * ({@link buildCall}); {@link send} puts it on the wire. The same calls reach the twin: its engine serves the
 * Streams API, and the twin serves the two Lambda operations (`lambda-api.ts`).
 *
 * Why not the AWS SDK: SQS and Lambda clients are not among our dependencies, and four JSON calls do not
 * need them. Credentials come from the caller (the commands resolve them with the SDK's default chain, which the
 * DynamoDB client in devDependencies already carries: `credentials.ts`).
 * @module
 */
import aws4 from 'aws4';

/** Credentials to sign with. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where each API is reached, and as whom. */
export interface ApiTarget {
  readonly region: string;
  readonly credentials: Credentials;
  /** @default `https://streams.dynamodb.<region>.amazonaws.com` */
  readonly streamsEndpoint?: string;
  /** @default `https://lambda.<region>.amazonaws.com` */
  readonly lambdaEndpoint?: string;
}

/** A signed request, ready for `fetch`. */
export interface HttpCall {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An error an API answered with (`code` from `__type`, `x-amzn-errortype` or the status). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
  }
}

const JSON_10 = 'application/x-amz-json-1.0';

/** Signs one request for `service` at `endpoint` (pure but for the signing time). */
export function buildCall(
  endpoint: string,
  service: string,
  target: Pick<ApiTarget, 'region' | 'credentials'>,
  req: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string },
): HttpCall {
  const url = new URL(req.path, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const signed = aws4.sign(
    {
      host: url.host,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      service,
      region: target.region,
      headers: { ...(req.headers ?? {}) },
      ...(req.body !== undefined ? { body: req.body } : {}),
    },
    target.credentials,
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {})) {
    // fetch sets these itself and refuses some of them.
    if (k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length') headers[k] = String(v);
  }
  return {
    url: url.toString(),
    method: req.method,
    headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
  };
}

/** A JSON-protocol call (`X-Amz-Target`), for SQS and DynamoDB Streams. */
export function jsonCall(
  endpoint: string,
  service: string,
  amzTarget: string,
  target: Pick<ApiTarget, 'region' | 'credentials'>,
  input: unknown,
): HttpCall {
  return buildCall(endpoint, service, target, {
    method: 'POST',
    path: '/',
    headers: { 'content-type': JSON_10, 'x-amz-target': amzTarget },
    body: JSON.stringify(input),
  });
}

/** Sends a call; resolves with the body and headers of a 2xx, throws {@link ApiError} otherwise. */
export async function send(call: HttpCall): Promise<{ text: string; headers: Headers }> {
  let res: Response;
  try {
    res = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${new URL(call.url).origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    );
  }
  const text = await res.text();
  if (res.ok) return { text, headers: res.headers };
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the status names it
  }
  const type = String(json.__type ?? res.headers.get('x-amzn-errortype') ?? `Http${res.status}`);
  const code = type.slice(type.lastIndexOf('#') + 1).split(':')[0]!;
  throw new ApiError(code, String(json.message ?? json.Message ?? text.slice(0, 200)), res.status);
}

/** `ReceiveMessage`: up to 10 messages, hidden from other consumers for `visibilitySeconds`. */
export function sqsReceive(
  target: Pick<ApiTarget, 'region' | 'credentials'>,
  queueUrl: string,
  visibilitySeconds: number,
): HttpCall {
  return jsonCall(new URL(queueUrl).origin, 'sqs', 'AmazonSQS.ReceiveMessage', target, {
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    VisibilityTimeout: visibilitySeconds,
    WaitTimeSeconds: 1,
  });
}

/** `DeleteMessage` of one received message. */
export function sqsDelete(
  target: Pick<ApiTarget, 'region' | 'credentials'>,
  queueUrl: string,
  receiptHandle: string,
): HttpCall {
  return jsonCall(new URL(queueUrl).origin, 'sqs', 'AmazonSQS.DeleteMessage', target, {
    QueueUrl: queueUrl,
    ReceiptHandle: receiptHandle,
  });
}

const streamsAt = (t: ApiTarget) => t.streamsEndpoint ?? `https://streams.dynamodb.${t.region}.amazonaws.com`;
const lambdaAt = (t: ApiTarget) => t.lambdaEndpoint ?? `https://lambda.${t.region}.amazonaws.com`;

/** `GetShardIterator` `AT_SEQUENCE_NUMBER`: where a failed batch starts. */
export function getShardIterator(
  t: ApiTarget,
  streamArn: string,
  shardId: string,
  sequenceNumber: string,
): HttpCall {
  return jsonCall(streamsAt(t), 'dynamodb', 'DynamoDBStreams_20120810.GetShardIterator', t, {
    StreamArn: streamArn,
    ShardId: shardId,
    ShardIteratorType: 'AT_SEQUENCE_NUMBER',
    SequenceNumber: sequenceNumber,
  });
}

/** `GetRecords` from an iterator. */
export function getRecords(t: ApiTarget, shardIterator: string): HttpCall {
  return jsonCall(streamsAt(t), 'dynamodb', 'DynamoDBStreams_20120810.GetRecords', t, {
    ShardIterator: shardIterator,
    Limit: 1000,
  });
}

/** Lambda `Invoke` (`RequestResponse`) of a function by name or ARN. */
export function invoke(t: ApiTarget, functionNameOrArn: string, event: unknown): HttpCall {
  return buildCall(lambdaAt(t), 'lambda', t, {
    method: 'POST',
    path: `/2015-03-31/functions/${encodeURIComponent(functionNameOrArn)}/invocations`,
    headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
    body: JSON.stringify(event),
  });
}

/** Lambda `ListEventSourceMappings` of one function on one stream (on any, with an empty ARN). */
export function listEventSourceMappings(
  t: ApiTarget,
  functionNameOrArn: string,
  eventSourceArn: string,
): HttpCall {
  const q = new URLSearchParams({
    ...(eventSourceArn ? { EventSourceArn: eventSourceArn } : {}),
    FunctionName: functionNameOrArn,
  });
  return buildCall(lambdaAt(t), 'lambda', t, {
    method: 'GET',
    path: `/2015-03-31/event-source-mappings/?${q}`,
  });
}
