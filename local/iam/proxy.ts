/**
 * The IAM proxy: an HTTP server between the functions and the DynamoDB engine that authorizes every call
 * against the calling function's role, as DynamoDB does on AWS.
 *
 * Each function gets its own endpoint, `http://<host>:<port>/fn/<FunctionLogicalId>` (its
 * `AWS_ENDPOINT_URL_DYNAMODB`; AWS SDK v3 and our client both keep an endpoint's path and POST to
 * `/fn/<id>/`). Per request: the target and JSON body give the permissions the call needs (`actions.ts`),
 * each is evaluated against the function's precompiled policies (`policy.ts`, memoised per function), and
 * - denied: HTTP 400 with DynamoDB's `AccessDeniedException` body and AWS's message, plus one log line naming the
 *   function, the action and the resource;
 * - allowed: the request is forwarded unchanged (path `/`) over a keep-alive agent and the engine's response is
 *   piped back.
 * Requests the twin cannot authorize (another protocol, such as `DynamoDBStreams_20120810.*`, or a body it
 * cannot read) are forwarded unchecked, with one warning per operation. Functions whose role is unknown
 * (`enforced: false`) are forwarded unchecked.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionSpec, Log } from '../types';
import type { ArnContext } from './actions';
import { authorize, type BoundPrincipal, bind } from './authorize';
import type { IamGuardConfig } from './guard';
import type { FunctionPrincipal } from './principals';

export interface IamProxyOptions {
  /** Where allowed calls go, e.g. `http://127.0.0.1:8123`. */
  readonly engineEndpoint: string;
  readonly principals?: readonly FunctionPrincipal[];
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Denials and warnings. @default silent */
  readonly log?: Log;
  /**
   * The built guard (`buildIamGuard`): when given, `withEndpoint` also has each environment run the check
   * itself (`guard.ts`), and the proxy answers only what the guard passes on to it.
   */
  readonly guardModule?: string;
}

export interface IamProxyStats {
  readonly allowed: number;
  readonly denied: number;
  /** Forwarded without a check (unknown role, another protocol, unreadable request). */
  readonly unchecked: number;
}

export interface IamProxy {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  /** The DynamoDB endpoint of one function. */
  endpointFor(functionLogicalId: string): string;
  /** The spec with `AWS_ENDPOINT_URL_DYNAMODB` set to the function's endpoint (and the guard preloaded). */
  withEndpoint(spec: FunctionSpec): FunctionSpec;
  /** Replaces the principals (hot reload: the roles may have changed). */
  setPrincipals(principals: readonly FunctionPrincipal[]): void;
  stats(): IamProxyStats;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.0';
const PATH = /^\/fn\/([^/?#]+)\/?(?:\?.*)?$/;

/**
 * Starts the proxy; resolves once it listens.
 * @example
 * const iam = await startIamProxy({ engineEndpoint: engine.endpoint, principals, log });
 * const lambda = createLambdaRuntime({ functions: specs.map(iam.withEndpoint), endpoints: { dynamodbStreams: engine.endpoint } });
 */
export async function startIamProxy(opts: IamProxyOptions): Promise<IamProxy> {
  const log = opts.log ?? (() => {});
  const ctx: ArnContext = { region: opts.region ?? 'us-east-1', accountId: opts.accountId ?? '000000000000' };
  const engine = new URL(opts.engineEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let bound = new Map<string, BoundPrincipal>();
  const setPrincipals = (ps: readonly FunctionPrincipal[]) => {
    bound = new Map(ps.map((p) => [p.functionLogicalId, bind(p)]));
  };
  setPrincipals(opts.principals ?? []);
  const counts = { allowed: 0, denied: 0, unchecked: 0 };
  const warned = new Set<string>();
  const warnOnce = (key: string, line: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    log(line);
  };

  const reply = (res: import('node:http').ServerResponse, status: number, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  };

  const forward = (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    body: Buffer,
  ) => {
    const headers = { ...req.headers, host: engine.host, 'content-length': String(body.length) };
    const up = request(
      {
        protocol: engine.protocol,
        hostname: engine.hostname,
        port: engine.port,
        path: '/',
        method: req.method ?? 'POST',
        headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (e) => {
      if (res.headersSent) {
        res.destroy(e);
        return;
      }
      reply(res, 500, {
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: `The twin's IAM proxy could not reach the engine at ${opts.engineEndpoint}: ${e.message}`,
      });
    });
    up.end(body);
  };

  const handle = (
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    body: Buffer,
  ) => {
    const id = PATH.exec(req.url ?? '')?.[1];
    const b = id ? bound.get(decodeURIComponent(id)) : undefined;
    if (!b) {
      reply(res, 400, {
        __type: 'com.amazon.coral.service#UnrecognizedClientException',
        message: `The twin's IAM proxy serves /fn/<FunctionLogicalId>; ${req.url} names no function it knows`,
      });
      return;
    }
    const v = authorize(b, String(req.headers['x-amz-target'] ?? ''), body.toString('utf8'), ctx);
    if (!v.allowed) {
      counts.denied++;
      log(v.line);
      reply(res, 400, v.body);
      return;
    }
    if (v.warn) warnOnce(v.warn.key, v.warn.line);
    if (v.unchecked) counts.unchecked++;
    else counts.allowed++;
    forward(req, res, body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      handle(req, res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on('error', () => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  const endpointFor = (logicalId: string) => `${url}/fn/${encodeURIComponent(logicalId)}`;

  return {
    url,
    port,
    endpointFor,
    withEndpoint: (spec) => {
      const principal = bound.get(spec.logicalId)?.principal;
      const preload: IamGuardConfig | undefined =
        opts.guardModule && principal && engine.protocol === 'http:'
          ? {
              module: opts.guardModule,
              proxy: { host, port },
              engine: { host: engine.hostname, port: Number(engine.port || 80) },
              principal,
              ctx,
            }
          : undefined;
      return {
        ...spec,
        environment: { ...spec.environment, AWS_ENDPOINT_URL_DYNAMODB: endpointFor(spec.logicalId) },
        ...(preload ? { preload } : {}),
      };
    },
    setPrincipals,
    stats: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
