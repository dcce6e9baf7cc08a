/**
 * A minimal DynamoDB client: the JSON protocol over a keep-alive HTTPS connection, signed with SigV4 by
 * `aws4`. Why not AWS SDK v3 or aws-lite: loading SDK v3's DynamoDB client costs ~115 ms and aws-lite ~43 ms
 * at every cold start, against a few ms for this; we call five operations with plain JSON and need none of
 * the SDK's middleware. It follows the SDK's conventions so the same bundle runs on AWS and locally:
 * - endpoint: `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else `https://dynamodb.<region>.amazonaws.com`;
 *   a path in the endpoint is kept, as SDK v3 keeps it (`http://host/base` is POSTed to `/base/`);
 * - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`;
 * - credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (what Lambda provides);
 * - retries: throttling, 5xx and connection errors, 3 attempts with jittered backoff, then a typed error.
 *   A retry resends the same request: a `TransactWriteItems` carries one `ClientRequestToken` for all its
 *   attempts (filled in here when the caller gave none, as the SDK does), so DynamoDB answers a retry of a
 *   transaction that was applied as it answered the first attempt. A conditional write has no such token:
 *   its retry may fail on the state its own lost attempt left, and the error says so
 *   ({@link DynamoDBError.earlierAttemptUncertain}) for the caller to judge.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import aws4 from 'aws4';

/** An error DynamoDB answered with (`code` is the part of `__type` after `#`), or a transport failure. */
export class DynamoDBError extends Error {
  override readonly name = 'DynamoDBError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    /** Throttling, a 5xx or a connection failure: worth retrying later. */
    readonly retryable: boolean,
    readonly body?: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
  }

  /**
   * This is the answer to a retry, and an earlier attempt of the same call ended without a definite answer
   * (the connection dropped, no answer in time, or a 5xx): that attempt may have been applied.
   */
  earlierAttemptUncertain = false;
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
  // A retry reached DynamoDB while the first attempt of the same transaction (same token) was still running.
  'TransactionInProgressException',
]);

/** An attempt that ended like this may still have been applied (DynamoDB documents 5xx as "may or may not"). */
const uncertain = (e: DynamoDBError) => e.statusCode === 0 || e.statusCode >= 500;

export interface DynamoDBOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** @default 3 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
  /** Called with each response's ConsumedCapacity. */
  readonly onCapacity?: (op: string, capacity: unknown) => void;
}

/** A DynamoDB JSON-protocol client. One per execution environment: it keeps its connections open. */
export class DynamoDB {
  private readonly url: URL;
  /** The endpoint's path, ending in `/` (AWS SDK v3 POSTs `https://host/base` to `/base/`). */
  private readonly path: string;
  private readonly region: string;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly opts: DynamoDBOptions;

  constructor(opts: DynamoDBOptions = {}) {
    const env = process.env;
    this.opts = opts;
    this.region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.url = new URL(
      opts.endpoint ??
        env.AWS_ENDPOINT_URL_DYNAMODB ??
        env.AWS_ENDPOINT_URL ??
        `https://dynamodb.${this.region}.amazonaws.com`,
    );
    this.path = this.url.pathname.endsWith('/') ? this.url.pathname : `${this.url.pathname}/`;
    const https = this.url.protocol === 'https:';
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 50 })
      : new HttpAgent({ keepAlive: true, maxSockets: 50 });
    this.send = https ? httpsRequest : httpRequest;
  }

  private credentials() {
    const env = process.env;
    return (
      this.opts.credentials ?? {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      }
    );
  }

  /** Calls an operation (`GetItem`, `Query`, ...) and resolves with its parsed JSON output. */
  async call<T = Record<string, unknown>>(op: string, input: Record<string, unknown>): Promise<T> {
    const token = op === 'TransactWriteItems' && input.ClientRequestToken === undefined;
    // Serialized once: every attempt sends the same request, token included.
    const body = JSON.stringify(token ? { ...input, ClientRequestToken: randomUUID() } : input);
    const max = this.opts.maxAttempts ?? 3;
    let unsure = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.once(op, body);
        if (this.opts.onCapacity && out.ConsumedCapacity) this.opts.onCapacity(op, out.ConsumedCapacity);
        return out as T;
      } catch (e) {
        const err = e as DynamoDBError;
        if (!(err instanceof DynamoDBError)) throw err;
        err.earlierAttemptUncertain = unsure;
        if (!err.retryable || attempt >= max) throw err;
        unsure ||= uncertain(err);
        await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));
      }
    }
  }

  private once(op: string, body: string): Promise<Record<string, unknown>> {
    const signed = aws4.sign(
      {
        host: this.url.host,
        path: this.path,
        method: 'POST',
        service: 'dynamodb',
        region: this.region,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${op}`,
        },
        body,
      },
      this.credentials(),
    );
    return new Promise((resolve, reject) => {
      const req = this.send(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: this.path,
          method: 'POST',
          headers: signed.headers as Record<string, string>,
          agent: this.agent,
          timeout: this.opts.timeoutMs ?? 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(new DynamoDBError('NetworkingError', e.message, 0, true)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> = {};
            try {
              json = text ? JSON.parse(text) : {};
            } catch {
              // a proxy or load balancer page: handled by status below
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(json);
            const type = String(json.__type ?? `Http${status}`);
            const code = type.slice(type.lastIndexOf('#') + 1);
            const message = String(json.message ?? json.Message ?? text.slice(0, 200));
            reject(new DynamoDBError(code, message, status, RETRYABLE.has(code) || status >= 500, json));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.opts.timeoutMs ?? 5000} ms`)));
      req.on('error', (e) => reject(new DynamoDBError('NetworkingError', e.message, 0, true)));
      req.end(body);
    });
  }
}
