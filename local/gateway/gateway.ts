/**
 * The API Gateway REST API (v1) front of the offline twin: serves the template's RestApis at
 * `http://host:port/<stage>/...` through a node:http handler the caller mounts on its own server.
 * The steps of a request are under `rest/` (`rest/pipeline.ts` orders them); this module wires them to the
 * template and to node:http.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CfnTemplate, Invoke, Log, Resolve } from '../types';
import { type Exchange, internalError, readBody, requestFacts } from './exchange';
import { createInvoker } from './invoker';
import { Meter } from './meter';
import { mountApis, type RouteInfo, type StageInfo } from './mounts';
import { AuthorizerCache } from './rest/authorizer';
import { compileGateway } from './rest/compile';
import type { RestServices } from './rest/context';
import { admitRest, MAX_BODY_BYTES } from './rest/pipeline';

export { ACCOUNT_THROTTLE } from './meter';
export type { RouteInfo, StageInfo } from './mounts';
export { MAX_INVOKE_BYTES } from './rest/integrate';
export { MAX_BODY_BYTES } from './rest/pipeline';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  readonly template: CfnTemplate;
  readonly resolve: Resolve;
  readonly invoke: Invoke;
  readonly log: Log;
  readonly region: string;
  readonly accountId: string;
  /** Clock for throttling, quotas, the authorizer cache and request times. @default Date.now */
  readonly now?: () => number;
  /** Values of `AWS::ApiGateway::ApiKey`s that have no `Value`, by logical id; others are generated. */
  readonly apiKeyValues?: Readonly<Record<string, string>>;
}

/** The gateway: a request handler plus what it serves. */
export interface Gateway {
  /** Serves one request; never throws. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** The first served stage's name and base path (`/<stage>`). */
  readonly stage: string;
  readonly basePath: string;
  readonly stages: readonly StageInfo[];
  readonly routes: readonly RouteInfo[];
  /** API keys and their values (generated ones included), for the caller to show or persist. */
  readonly apiKeys: readonly {
    readonly logicalId: string;
    readonly id: string;
    readonly name: string;
    readonly value: string;
  }[];
  /** Template features recognised but not emulated. */
  readonly warnings: readonly string[];
  /** Drops caches and cancels pending integration timers. */
  close(): void;
}

/**
 * Builds the gateway from a synthesized template.
 * @example
 * const gw = createGateway({ template, resolve, invoke, log: console.log, region: 'eu-west-1', accountId: '123456789012' });
 * http.createServer(gw.handler).listen(3000); // GET http://localhost:3000/prod/items
 */
export function createGateway(opts: GatewayOptions): Gateway {
  const now = opts.now ?? Date.now;
  const { log } = opts;
  const model = compileGateway({
    template: opts.template,
    resolve: opts.resolve,
    ...(opts.apiKeyValues ? { apiKeyValues: opts.apiKeyValues } : {}),
  });
  for (const w of model.warnings) log(`[gateway] not emulated: ${w}`);

  const { stages, routes, find } = mountApis(model.apis);
  const services: RestServices = {
    log,
    now,
    region: opts.region,
    accountId: opts.accountId,
    invoker: createInvoker(opts.invoke, log),
    meter: new Meter(model.apiKeys, model.usagePlans, now),
    authCache: new AuthorizerCache(now),
  };

  function handler(req: IncomingMessage, res: ServerResponse): void {
    let x: Exchange | undefined;
    try {
      const started = now();
      const { facts, mount } = requestFacts(req, started, find);
      const ex: Exchange = { res, facts, started, ...(mount ? { mount } : {}) };
      x = ex;
      readBody(req, res, MAX_BODY_BYTES, (body, size) => {
        try {
          admitRest(services, ex, body, size)?.catch((e: unknown) => internalError(services, res, ex, e));
        } catch (e) {
          internalError(services, res, ex, e);
        }
      });
    } catch (e) {
      internalError(services, res, x, e);
    }
  }

  const first = stages[0];
  return {
    handler,
    stage: first?.stage ?? '',
    basePath: first?.basePaths[0] ?? '',
    stages,
    routes,
    apiKeys: model.apiKeys.map((k) => ({ logicalId: k.logicalId, id: k.id, name: k.name, value: k.value })),
    warnings: model.warnings,
    close() {
      services.invoker.close();
      services.authCache.clear();
    },
  };
}
