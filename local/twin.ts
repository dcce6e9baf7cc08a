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
import { existsSync, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import {
  createResolver,
  createSecretStore,
  functionSpecs,
  loadStack,
  readCloudAssembly,
  type StackArtifact,
  selectStack,
} from './assembly/index';
import { createTables, type Engine, startEngine, type TableState } from './engine/index';
import { clientErrorListener } from './gateway/client-error';
import { createGateway, type Gateway, type RouteInfo } from './gateway/gateway';
import { buildIamGuard, functionPrincipals, type IamProxy, startIamProxy } from './iam/index';
import { createLocalIssuer, JWKS_PATH, jwksHandler, type LocalIssuer } from './identity/index';
import { requireJava17 } from './java';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/index';
import { createLambdaApi } from './redrive/lambda-api';
import { restartNeeded } from './restart-needed';
import { type EventSourceMappings, startEventSourceMappings } from './streams/index';
import { unsupportedResources } from './support';
import { PROJECT_ROOT, synthesizeCached } from './synth';
import type { FunctionSpec, Log } from './types';

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

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok((server.address() as { port: number }).port);
    });
  });
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;
  } catch {
    return fallback;
  }
}

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
  let gateway: Gateway | undefined;
  let serveJwks: ReturnType<typeof jwksHandler> | undefined;
  let lambdaApi: ReturnType<typeof createLambdaApi> | undefined; // npm run redrive invokes through it
  const server = createServer((req, res) => {
    if (serveJwks?.(req, res)) return;
    if (lambdaApi?.(req, res)) return;
    if (!gateway) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"message":"starting"}');
      return;
    }
    gateway.handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', clientErrorListener(log)); // unparseable requests: node:http's answer, logged
  const port = await listen(server, opts.port ?? 3000, host);
  const origin = `http://${host}:${port}`;
  const issuer = await createLocalIssuer({ dataDir, issuer: origin, audience: LOCAL_AUDIENCE });
  serveJwks = jwksHandler(issuer);

  let engine: Engine | undefined;
  let engineStarting: Promise<Engine> | undefined;
  let lambda: LambdaRuntime | undefined;
  let iam: IamProxy | undefined;
  let streams: EventSourceMappings | undefined; // local/streams
  const cleanup = async () => {
    gateway?.close();
    await streams?.stop(); // local/streams: before the runtime, so no batch is left half-delivered
    await lambda?.stop();
    await iam?.stop();
    // The engine starts while the app synthesizes: a failed synth may find it still starting.
    await (engine ?? (await engineStarting?.catch(() => undefined)))?.stop();
    await new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  };

  try {
    const context = {
      stage: 'local',
      ...opts.context,
      jwtIssuer: origin,
      jwksUrl: `${origin}${JWKS_PATH}`,
      jwtAudience: LOCAL_AUDIENCE,
    };
    const assemblyDir = join(dataDir, 'cdk.out');
    // A restart with the same sources, lock file, context and API_*/CDK_* variables reuses the last assembly.
    const synth = async () => {
      const t = performance.now();
      const { reused } = await synthesizeCached({ outDir: assemblyDir, context, log });
      const s = ((performance.now() - t) / 1000).toFixed(1);
      log(
        reused ? `Reused the last synth in ${s} s (nothing it depends on changed)` : `Synthesized in ${s} s`,
      );
      return assemblyDir;
    };
    const load = (dir: string): StackArtifact => selectStack(readCloudAssembly(dir), opts.stackName);

    // DynamoDB Local's JVM (3-4 s) starts while the app synthesizes; its tables wait for the template.
    log(opts.dynamodbEndpoint ? `Using DynamoDB at ${opts.dynamodbEndpoint}` : 'Starting DynamoDB Local...');
    engineStarting = startEngine({
      ...(opts.dynamodbEndpoint ? { endpoint: opts.dynamodbEndpoint } : {}),
      ...(opts.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
      log,
      // Everything the twin handed out points at the engine's port, which a restart keeps; the stream pollers
      // retry until it answers and resume from their checkpoints (DynamoDB Local keeps persisted streams).
      onFatal: (error) => {
        void cleanup()
          .catch(() => {})
          .then(() => opts.onFatal?.(error));
      },
    });
    // Its failure is reported where it is awaited, below; until then it must not count as unhandled.
    engineStarting.catch(() => {});
    const engineAsked = performance.now();
    engineStarting.then(
      (e) => log(`${e.external ? 'DynamoDB' : 'DynamoDB Local'} answering after ${since(engineAsked)}`),
      () => {},
    );
    const stack = load(opts.assembly ? resolve(opts.assembly) : await synth());
    for (const r of unsupportedResources(stack.template)) log(`not emulated (left out): ${r}`);
    const secrets = createSecretStore({ dataDir });
    const resolver = createResolver(stack.template, {
      stackName: stack.stackName,
      region,
      accountId,
      secrets,
      log,
    });

    engine = await engineStarting;
    const tablesAsked = performance.now();
    const tables = await createTables(stack.template, resolver.resolve, engine.endpoint, {
      log,
      region,
      isIncluded: resolver.isIncluded,
    });
    for (const t of tables) {
      if (t.streamArn) resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
      log(`Table ${t.tableName} ${t.created ? 'created' : 'kept (data from the last run)'}`);
    }
    log(`Tables ready in ${since(tablesAsked)}`);

    let functions = functionSpecs(stack, resolver, log);
    // IAM: each function reaches the engine through the proxy, at its own endpoint (its own role).
    if (opts.enforceIam ?? true) {
      const principals = functionPrincipals(stack.template, resolver, functions, { accountId, log });
      iam = await startIamProxy({
        engineEndpoint: engine.endpoint,
        principals,
        region,
        accountId,
        log,
        guardModule: buildIamGuard(join(dataDir, 'lambda')),
      });
      functions = functions.map(iam.withEndpoint);
      log(`IAM: DynamoDB calls checked against each function's role (${iam.url}; --no-iam to turn off)`);
    }
    lambda = createLambdaRuntime({
      functions,
      log,
      region,
      endpoints: iam
        ? { dynamodbStreams: engine.endpoint }
        : { dynamodb: engine.endpoint, dynamodbStreams: engine.endpoint },
      workDir: join(dataDir, 'lambda'),
    });
    // local/streams: poll the tables' streams into the functions of the template's event source mappings.
    const eventSources = await startEventSourceMappings({
      template: stack.template,
      resolver,
      invoke: lambda.invoke,
      endpoint: engine.endpoint,
      dataDir,
      log,
      region,
    });
    streams = eventSources;
    lambdaApi = createLambdaApi({
      functions: () => functions,
      mappings: () => eventSources.mappings,
      invoke: lambda.invoke,
    });

    const keysFile = join(dataDir, 'api-keys.json');
    gateway = createGateway({
      template: stack.template,
      resolve: resolver.resolve,
      invoke: lambda.invoke,
      log,
      region,
      accountId,
      apiKeyValues: readJson<Record<string, string>>(keysFile, {}),
    });
    writeFileSync(
      keysFile,
      JSON.stringify(Object.fromEntries(gateway.apiKeys.map((k) => [k.logicalId, k.value])), null, 2),
    );

    const url = `${origin}${gateway.basePath}`;
    const apiKey = gateway.apiKeys[0]?.value ?? '';
    writeFileSync(
      join(dataDir, 'local.json'),
      // engineEndpoint: for npm run redrive, which reads the stream as the twin's pollers do.
      `${JSON.stringify({ url, apiKey, issuer: origin, audience: LOCAL_AUDIENCE, jwksUrl: `${origin}${JWKS_PATH}`, engineEndpoint: engine.endpoint }, null, 2)}\n`,
    );

    const runtime = lambda;
    // Hot reload swaps function code and variables. Routes, tables and other resources are read at start:
    // a change to those needs a restart (the data stays), and the reload says which.
    const reload = async (): Promise<string[]> => {
      const next = loadStack({
        assemblyDir: opts.assembly ? resolve(opts.assembly) : await synth(),
        dataDir,
        region,
        accountId,
        log,
        ...(opts.stackName ? { stackName: opts.stackName } : {}),
      });
      for (const t of tables)
        if (t.streamArn) next.resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
      let specs = next.functions();
      if (iam) {
        iam.setPrincipals(functionPrincipals(next.stack.template, next.resolver, specs, { accountId, log }));
        specs = specs.map(iam.withEndpoint);
      }
      const changed = specs.filter((f) => {
        const old = functions.find((o) => o.logicalId === f.logicalId);
        return (
          old &&
          (old.codeDir !== f.codeDir ||
            JSON.stringify(old.environment) !== JSON.stringify(f.environment) ||
            preloadKey(old) !== preloadKey(f))
        );
      });
      await Promise.all(changed.map((f) => runtime.reload(f.logicalId, f)));
      // Only the functions the runtime runs: a new one is served after a restart.
      functions = functions.map((o) => specs.find((f) => f.logicalId === o.logicalId) ?? o);
      const unserved = restartNeeded(stack.template, next.stack.template);
      if (unserved.length > 0)
        log(
          `Restart needed to serve: ${unserved.join(', ')} (a reload swaps only functions' code and settings)`,
        );
      return changed.map((f) => f.logicalId);
    };

    let watcher: ReturnType<typeof watch> | undefined;
    if (opts.watch && !opts.assembly) {
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<unknown> = Promise.resolve();
      watcher = watch(join(PROJECT_ROOT, 'src'), { recursive: true }, (_event, file) => {
        if (!file || file.endsWith('.test.ts')) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          running = running.then(async () => {
            try {
              const swapped = await reload();
              log(swapped.length ? `Reloaded ${swapped.join(', ')}` : 'No function changed');
            } catch (e) {
              log(`Reload failed, still serving the previous code: ${(e as Error).message}`);
            }
          });
        }, 250);
      });
    }

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

/** Seconds since `t` (a `performance.now()`), for progress lines. */
function since(t: number): string {
  return `${((performance.now() - t) / 1000).toFixed(1)} s`;
}

/** What a function's environments preload, comparable across reloads (a changed role means new environments). */
function preloadKey(f: FunctionSpec): string {
  return JSON.stringify(f.preload ?? null, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v));
}
