/**
 * The offline twin as a library: synthesizes the CDK app (or reads a given cloud assembly), starts the
 * DynamoDB engine and creates the template's tables, runs every function in the Lambda runtime, and serves the
 * template's REST API over real HTTP, with a local JWT issuer whose JWKS the authorizer is configured to use.
 *
 * @example
 * const twin = await startTwin({ port: 0, dataDir: tmp, inMemory: true });
 * const token = await twin.token({ sub: 'alice', tenant: 'acme' });
 * await fetch(`${twin.url}/items`, { headers: { 'x-api-key': twin.apiKey, authorization: `Bearer ${token}` } });
 * await twin.stop();
 * @module
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { functionSpecs, loadStack } from './assembly/index';
import type { Engine, TableState } from './engine/index';
import type { RouteInfo } from './gateway/gateway';
import type { IamProxy } from './iam/index';
import { createLocalIssuer, JWKS_PATH, jwksHandler, type LocalIssuer } from './identity/index';
import { requireJava17 } from './java';
import type { LambdaRuntime } from './lambda/index';
import { createLambdaApi } from './redrive/lambda-api';
import { type EventSourceMappings, startEventSourceMappings } from './streams/index';
import {
  frontServer,
  type Held,
  listen,
  prepareTables,
  type ReloadState,
  readStack,
  reloadFunctions,
  serveGateway,
  since,
  startEngineEarly,
  startFunctions,
  stopAll,
  synthesizer,
  watchSources,
} from './twin-steps';
import type { Log } from './types';

export interface TwinOptions {
  /** TCP port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Keys, secrets, the assembly, `local.json` and (unless `inMemory`) the tables. @default '.data' */
  readonly dataDir?: string;
  /** Keep the tables in memory (tests). @default false */
  readonly inMemory?: boolean;
  /** Serve this already-synthesized cloud assembly instead of synthesizing our CDK app. */
  readonly assembly?: string;
  /** Which stack of the assembly. @default the only one */
  readonly stackName?: string;
  /** Use this DynamoDB-compatible endpoint instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  /** Re-bundle and swap functions when `src/` changes (our app only). @default false */
  readonly watch?: boolean;
  /** Extra CDK context for the synth (e.g. `{ throttleRate: 10000 }`); see `infra/config.ts`. */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Authorize each function's DynamoDB calls against its role from the template, denying as AWS would
   * (`AccessDeniedException`); see `local/iam/README.md`. @default true
   */
  readonly enforceIam?: boolean;
  /** Progress, function logs and access logs. @default silent */
  readonly log?: Log;
  /**
   * The engine is gone for good (DynamoDB Local could not be restarted, or it ran in memory): the twin has
   * logged why and stopped. The CLI exits non-zero. @default nothing more
   */
  readonly onFatal?: (error: Error) => void;
}

export interface Twin {
  /** Base URL including the stage path, e.g. `http://127.0.0.1:3000/local`. */
  readonly url: string;
  /** A valid API key (the first of the template's keys in a usage plan). */
  readonly apiKey: string;
  readonly port: number;
  readonly routes: readonly RouteInfo[];
  readonly engineEndpoint: string;
  /** The DynamoDB engine: its state, restarts and pid; `kill()` simulates a crash (local/engine/supervisor.ts). */
  readonly engine: Engine;
  /** The template's tables as created in the engine. */
  readonly tables: readonly TableState[];
  /** The local issuer (our app's authorizer trusts it). */
  readonly issuer: LocalIssuer;
  /** Signs a token the authorizer accepts. */
  token(opts: { sub: string; tenant: string; ttlSeconds?: number }): Promise<string>;
  /** The Lambda runtime (stats, reload). */
  readonly lambda: LambdaRuntime;
  /** The event source mappings on the tables' streams (local/streams): `idle()`, `deadLetters()`. */
  readonly streams: EventSourceMappings;
  /**
   * The IAM proxy (absent with `enforceIam: false`). Its `stats()` count only the calls it answered itself:
   * environments check their own calls in-process (local/iam/guard.ts) and pass it only what they cannot frame.
   */
  readonly iam: IamProxy | undefined;
  /** Failed stream batches kept for an on-failure destination (by logical id), or for all (local/streams). */
  deadLetters(destinationLogicalId?: string): unknown[];
  /**
   * Re-synthesizes (or re-reads the given `assembly`) and swaps every function whose code, variables or role
   * changed; resolves with their logical ids. A change it cannot serve (a new route, table or function...) is
   * logged as `Restart needed to serve: ...`.
   */
  reload(): Promise<string[]>;
  stop(): Promise<void>;
}

/** The audience our local tokens carry. */
export const LOCAL_AUDIENCE = 'crud-api-local';

/** Starts the twin; resolves once it serves requests. */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  // Before anything slow: a missing Java would otherwise surface only after the synth, tens of seconds later.
  if (!opts.dynamodbEndpoint) requireJava17();
  const host = opts.host ?? '127.0.0.1';
  const dataDir = resolve(opts.dataDir ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const region = 'us-east-1';
  const accountId = '000000000000';

  // The port is needed before the synth: the authorizer is configured with our JWKS URL.
  const { server, routes: front } = frontServer(log);
  const port = await listen(server, opts.port ?? 3000, host);
  const origin = `http://${host}:${port}`;
  const issuer = await createLocalIssuer({ dataDir, issuer: origin, audience: LOCAL_AUDIENCE });
  front.jwks = jwksHandler(issuer);

  const held: Held = { server, front };
  const cleanup = () => stopAll(held);

  try {
    const synth = synthesizer(
      dataDir,
      {
        stage: 'local',
        ...opts.context,
        jwtIssuer: origin,
        jwksUrl: `${origin}${JWKS_PATH}`,
        jwtAudience: LOCAL_AUDIENCE,
      },
      log,
    );
    held.engineStarting = startEngineEarly(opts, dataDir, log, (error) => {
      void cleanup()
        .catch(() => {})
        .then(() => opts.onFatal?.(error));
    });
    const where = {
      dataDir,
      region,
      accountId,
      log,
      ...(opts.stackName ? { stackName: opts.stackName } : {}),
    };
    const { stack, resolver } = readStack(opts.assembly ? resolve(opts.assembly) : await synth(), where);

    const engine = await held.engineStarting;
    held.engine = engine;
    const tables = await prepareTables(stack, resolver, engine, region, log);
    const fns = await startFunctions({
      stack,
      resolver,
      functions: functionSpecs(stack, resolver, log),
      engine,
      enforceIam: opts.enforceIam ?? true,
      dataDir,
      region,
      accountId,
      log,
    });
    const { iam, lambda: runtime } = fns;
    held.iam = iam;
    held.lambda = runtime;
    const state: ReloadState = { functions: fns.functions, stack, tables, iam, lambda: runtime };
    // local/streams: poll the tables' streams into the functions of the template's event source mappings.
    const eventSources = await startEventSourceMappings({
      template: stack.template,
      resolver,
      invoke: runtime.invoke,
      endpoint: engine.endpoint,
      dataDir,
      log,
      region,
    });
    held.streams = eventSources;
    front.lambdaApi = createLambdaApi({
      functions: () => state.functions,
      mappings: () => eventSources.mappings,
      invoke: runtime.invoke,
    });

    const { gateway, url, apiKey } = serveGateway(front, {
      stack,
      resolver,
      invoke: runtime.invoke,
      dataDir,
      region,
      accountId,
      log,
      local: { issuer: origin, audience: LOCAL_AUDIENCE, engineEndpoint: engine.endpoint },
    });

    const reload = async (): Promise<string[]> => {
      const next = loadStack({
        assemblyDir: opts.assembly ? resolve(opts.assembly) : await synth(),
        dataDir,
        region,
        accountId,
        log,
        ...(opts.stackName ? { stackName: opts.stackName } : {}),
      });
      return reloadFunctions(state, next, accountId, log);
    };
    const watcher = opts.watch && !opts.assembly ? watchSources(reload, log) : undefined;

    log(`Started in ${since(started)}`);
    return {
      url,
      apiKey,
      port,
      routes: gateway.routes,
      engineEndpoint: engine.endpoint,
      engine,
      tables,
      issuer,
      lambda: runtime,
      streams: eventSources, // local/streams
      iam,
      deadLetters: (id) => eventSources.deadLetters(id), // local/streams
      token: ({ sub, tenant, ttlSeconds }) =>
        issuer.sign({ sub, tenant, ...(ttlSeconds ? { ttlSeconds } : {}) }),
      reload,
      stop: async () => {
        watcher?.close();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup().catch(() => {});
    throw e;
  }
}
