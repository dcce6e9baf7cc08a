/**
 * The steps of {@link startTwin} (`twin.ts`), in the order it runs them: the front server (listening before the
 * synth, since the authorizer is configured with its JWKS URL), the engine started while the app synthesizes,
 * the tables, the functions behind the IAM proxy, the files the CLI and `npm run redrive` read, and hot reload.
 * @module
 */
import { existsSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  createResolver,
  createSecretStore,
  type LoadedStack,
  type Resolver,
  readCloudAssembly,
  type StackArtifact,
  selectStack,
} from './assembly/index';
import { createTables, type Engine, startEngine, type TableState } from './engine/index';
import { clientErrorListener } from './gateway/client-error';
import { createGateway, type Gateway } from './gateway/gateway';
import { buildIamGuard, functionPrincipals, type IamProxy, startIamProxy } from './iam/index';
import { JWKS_PATH } from './identity/index';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/index';
import { restartNeeded } from './restart-needed';
import type { EventSourceMappings } from './streams/index';
import { unsupportedResources } from './support';
import { PROJECT_ROOT, synthesizeCached } from './synth';
import type { FunctionSpec, Invoke, Log } from './types';

/** A request handler that answers (true) or passes the request on (false). */
type Claim = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What the front server routes to, filled in as the twin starts. */
export interface FrontRoutes {
  jwks?: Claim;
  lambdaApi?: Claim;
  gateway?: Gateway;
}

/** The twin's one HTTP server: the JWKS, the Lambda API for redrive, then the gateway (a 503 until it is up). */
export function frontServer(log: Log): { server: Server; routes: FrontRoutes } {
  const routes: FrontRoutes = {};
  const server = createServer((req, res) => {
    if (routes.jwks?.(req, res)) return;
    if (routes.lambdaApi?.(req, res)) return;
    if (!routes.gateway) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end('{"message":"starting"}');
      return;
    }
    routes.gateway.handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', clientErrorListener(log)); // unparseable requests: node:http's answer, logged
  return { server, routes };
}

/** Listens; resolves with the port (the one picked when `port` is 0). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok((server.address() as { port: number }).port);
    });
  });
}

/** Seconds since `t` (a `performance.now()`), for progress lines. */
export function since(t: number): string {
  return `${((performance.now() - t) / 1000).toFixed(1)} s`;
}

/**
 * Starts the engine without waiting for it, so DynamoDB Local's JVM (3-4 s) starts while the app synthesizes.
 * Its failure is reported where it is awaited; until then it must not count as unhandled.
 */
export function startEngineEarly(
  opts: { readonly dynamodbEndpoint?: string; readonly inMemory?: boolean },
  dataDir: string,
  log: Log,
  onFatal: (error: Error) => void,
): Promise<Engine> {
  log(opts.dynamodbEndpoint ? `Using DynamoDB at ${opts.dynamodbEndpoint}` : 'Starting DynamoDB Local...');
  const starting = startEngine({
    ...(opts.dynamodbEndpoint ? { endpoint: opts.dynamodbEndpoint } : {}),
    ...(opts.inMemory ? {} : { dataDir: join(dataDir, 'dynamodb') }),
    log,
    // Everything the twin handed out points at the engine's port, which a restart keeps; the stream pollers
    // retry until it answers and resume from their checkpoints (DynamoDB Local keeps persisted streams).
    onFatal,
  });
  starting.catch(() => {});
  const asked = performance.now();
  starting.then(
    (e) => log(`${e.external ? 'DynamoDB' : 'DynamoDB Local'} answering after ${since(asked)}`),
    () => {},
  );
  return starting;
}

/** Creates (or keeps) the template's tables and tells the resolver their stream ARNs. */
export async function prepareTables(
  stack: StackArtifact,
  resolver: Resolver,
  engine: Engine,
  region: string,
  log: Log,
): Promise<TableState[]> {
  const asked = performance.now();
  const tables = await createTables(stack.template, resolver.resolve, engine.endpoint, {
    log,
    region,
    isIncluded: resolver.isIncluded,
  });
  for (const t of tables) {
    if (t.streamArn) resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
    log(`Table ${t.tableName} ${t.created ? 'created' : 'kept (data from the last run)'}`);
  }
  log(`Tables ready in ${since(asked)}`);
  return tables;
}

/** The functions as the runtime runs them: behind the IAM proxy (each at its own endpoint) unless it is off. */
export async function startFunctions(a: {
  readonly stack: StackArtifact;
  readonly resolver: Resolver;
  readonly functions: FunctionSpec[];
  readonly engine: Engine;
  readonly enforceIam: boolean;
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly log: Log;
}): Promise<{ functions: FunctionSpec[]; iam: IamProxy | undefined; lambda: LambdaRuntime }> {
  const { engine, region, accountId, log } = a;
  let functions = a.functions;
  let iam: IamProxy | undefined;
  if (a.enforceIam) {
    const principals = functionPrincipals(a.stack.template, a.resolver, functions, { accountId, log });
    iam = await startIamProxy({
      engineEndpoint: engine.endpoint,
      principals,
      region,
      accountId,
      log,
      guardModule: buildIamGuard(join(a.dataDir, 'lambda')),
    });
    functions = functions.map(iam.withEndpoint);
    log(`IAM: DynamoDB calls checked against each function's role (${iam.url}; --no-iam to turn off)`);
  }
  const lambda = createLambdaRuntime({
    functions,
    log,
    region,
    endpoints: iam
      ? { dynamodbStreams: engine.endpoint }
      : { dynamodb: engine.endpoint, dynamodbStreams: engine.endpoint },
    workDir: join(a.dataDir, 'lambda'),
  });
  return { functions, iam, lambda };
}

/**
 * Serves the template's APIs on the front server, with the API key values of the last run (so clients keep
 * working across restarts), and writes `api-keys.json` and `local.json` (what the CLI prints and
 * `npm run redrive` reads).
 */
export function serveGateway(
  front: FrontRoutes,
  a: {
    readonly stack: StackArtifact;
    readonly resolver: Resolver;
    readonly invoke: Invoke;
    readonly dataDir: string;
    readonly region: string;
    readonly accountId: string;
    readonly log: Log;
    readonly local: { readonly issuer: string; readonly audience: string; readonly engineEndpoint: string };
  },
): { gateway: Gateway; url: string; apiKey: string } {
  const keysFile = join(a.dataDir, 'api-keys.json');
  const gateway = createGateway({
    template: a.stack.template,
    resolve: a.resolver.resolve,
    invoke: a.invoke,
    log: a.log,
    region: a.region,
    accountId: a.accountId,
    apiKeyValues: readJson<Record<string, string>>(keysFile, {}),
  });
  front.gateway = gateway;
  writeFileSync(
    keysFile,
    JSON.stringify(Object.fromEntries(gateway.apiKeys.map((k) => [k.logicalId, k.value])), null, 2),
  );
  const url = `${a.local.issuer}${gateway.basePath}`;
  const apiKey = gateway.apiKeys[0]?.value ?? '';
  const { issuer, audience, engineEndpoint } = a.local;
  writeFileSync(
    join(a.dataDir, 'local.json'),
    // engineEndpoint: for npm run redrive, which reads the stream as the twin's pollers do.
    `${JSON.stringify({ url, apiKey, issuer, audience, jwksUrl: `${issuer}${JWKS_PATH}`, engineEndpoint }, null, 2)}\n`,
  );
  return { gateway, url, apiKey };
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** What hot reload works on; `functions` is replaced by each reload. */
export interface ReloadState {
  functions: FunctionSpec[];
  readonly stack: StackArtifact;
  readonly tables: readonly TableState[];
  readonly iam: IamProxy | undefined;
  readonly lambda: LambdaRuntime;
}

/**
 * Hot reload swaps function code and variables. Routes, tables and other resources are read at start: a
 * change to those needs a restart (the data stays), and the reload says which. Resolves with the swapped ids.
 */
export async function reloadFunctions(
  state: ReloadState,
  next: LoadedStack,
  accountId: string,
  log: Log,
): Promise<string[]> {
  for (const t of state.tables)
    if (t.streamArn) next.resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
  let specs = next.functions();
  if (state.iam) {
    state.iam.setPrincipals(
      functionPrincipals(next.stack.template, next.resolver, specs, { accountId, log }),
    );
    specs = specs.map(state.iam.withEndpoint);
  }
  const changed = specs.filter((f) => {
    const old = state.functions.find((o) => o.logicalId === f.logicalId);
    return (
      old &&
      (old.codeDir !== f.codeDir ||
        JSON.stringify(old.environment) !== JSON.stringify(f.environment) ||
        preloadKey(old) !== preloadKey(f))
    );
  });
  await Promise.all(changed.map((f) => state.lambda.reload(f.logicalId, f)));
  // Only the functions the runtime runs: a new one is served after a restart.
  state.functions = state.functions.map((o) => specs.find((f) => f.logicalId === o.logicalId) ?? o);
  const unserved = restartNeeded(state.stack.template, next.stack.template);
  if (unserved.length > 0)
    log(`Restart needed to serve: ${unserved.join(', ')} (a reload swaps only functions' code and settings)`);
  return changed.map((f) => f.logicalId);
}

/** What a function's environments preload, comparable across reloads (a changed role means new environments). */
function preloadKey(f: FunctionSpec): string {
  return JSON.stringify(f.preload ?? null, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v));
}

/** Reloads on changes under `src/` (debounced, one reload at a time); returns the watcher to close. */
export function watchSources(reload: () => Promise<string[]>, log: Log): ReturnType<typeof watch> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return watch(join(PROJECT_ROOT, 'src'), { recursive: true }, (_event, file) => {
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

/**
 * Synthesizes our app into `<dataDir>/cdk.out` with the twin's context (its issuer and JWKS URL); a restart
 * with the same sources, lock file, context and API_*\/CDK_* variables reuses the last assembly.
 */
export function synthesizer(
  dataDir: string,
  context: Readonly<Record<string, unknown>>,
  log: Log,
): () => Promise<string> {
  const outDir = join(dataDir, 'cdk.out');
  return async () => {
    const t = performance.now();
    const { reused } = await synthesizeCached({ outDir, context, log });
    const s = ((performance.now() - t) / 1000).toFixed(1);
    log(reused ? `Reused the last synth in ${s} s (nothing it depends on changed)` : `Synthesized in ${s} s`);
    return outDir;
  };
}

/** What a twin holds while it starts and runs, stopped in reverse order by {@link stopAll}. */
export interface Held {
  readonly server: Server;
  readonly front: FrontRoutes;
  engineStarting?: Promise<Engine>;
  engine?: Engine;
  iam?: IamProxy | undefined;
  lambda?: LambdaRuntime;
  streams?: EventSourceMappings;
}

/** Stops whatever the twin holds: the streams before the runtime, so no batch is left half-delivered. */
export async function stopAll(h: Held): Promise<void> {
  h.front.gateway?.close();
  await h.streams?.stop();
  await h.lambda?.stop();
  await h.iam?.stop();
  // The engine starts while the app synthesizes: a failed synth may find it still starting.
  await (h.engine ?? (await h.engineStarting?.catch(() => undefined)))?.stop();
  await new Promise<void>((ok) => {
    h.server.close(() => ok());
    h.server.closeAllConnections();
  });
}

/** The stack of the assembly in `assemblyDir` and its resolver; logs the resource types the twin leaves out. */
export function readStack(
  assemblyDir: string,
  a: {
    readonly stackName?: string;
    readonly dataDir: string;
    readonly region: string;
    readonly accountId: string;
    readonly log: Log;
  },
): { stack: StackArtifact; resolver: Resolver } {
  const stack = selectStack(readCloudAssembly(assemblyDir), a.stackName);
  for (const r of unsupportedResources(stack.template)) a.log(`not emulated (left out): ${r}`);
  const resolver = createResolver(stack.template, {
    stackName: stack.stackName,
    region: a.region,
    accountId: a.accountId,
    secrets: createSecretStore({ dataDir: a.dataDir }),
    log: a.log,
  });
  return { stack, resolver };
}
