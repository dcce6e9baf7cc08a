/**
 * `npm start`: the offline twin on this machine.
 *
 *   npm start                              synthesize infra/app.ts and serve it (PORT, DATA_DIR honoured)
 *   npm start -- --assembly <dir>          serve an already-synthesized cloud assembly (any CDK app)
 *   npm start -- --stack <name>            pick a stack of the assembly
 *   npm start -- --no-watch                do not reload functions when src/ changes
 *   npm start -- --no-iam                  do not check functions' DynamoDB calls against their roles
 *   DYNAMODB_ENDPOINT=http://... npm start use that DynamoDB instead of starting DynamoDB Local
 *
 * Prints progress, a banner (URL, routes, API key, a curl that works), then `Ready: <url>`, and writes
 * `<DATA_DIR>/local.json`. Ctrl-C stops everything it started.
 * @module
 */
import { parseCommandLine, usageError } from './cli-args';
import { EngineStartError } from './engine/dynamodb-local';
import { startTwin, type Twin } from './twin';

const USAGE = `usage: npm start -- [options]

Serves the API on this machine: synthesizes infra/app.ts (or reads --assembly), starts DynamoDB Local,
and prints the URL, an API key and a token.

options:
  --port <n>            TCP port, 0 for any free one (default: PORT or 3000)
  --data-dir <dir>      keys, assembly, local.json and tables (default: DATA_DIR or .data)
  --assembly <dir>      serve this already-synthesized cloud assembly instead of synthesizing
  --stack <name>        the stack of the assembly to serve (default: the only one)
  --no-watch            do not reload functions when src/ changes
  --no-iam              do not check functions' DynamoDB calls against their roles
  --quiet               print only the banner and errors
  -h, --help            print this and exit

environment: DYNAMODB_ENDPOINT=http://... uses that DynamoDB instead of starting DynamoDB Local (no Java needed).`;

const { values } = parseCommandLine(USAGE, {
  assembly: { type: 'string' },
  stack: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'no-watch': { type: 'boolean', default: false },
  'no-iam': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
});

const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  usageError(`--port (or PORT) must be an integer from 0 to 65535, got ${values.port ?? process.env.PORT}`);
const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? '.data';
const started = performance.now();
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const log = (line: string) => {
  if (!values.quiet)
    process.stdout.write(`${dim(`[${((performance.now() - started) / 1000).toFixed(1)}s]`)} ${line}\n`);
};

let twin: Twin | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping...\n`);
  await twin?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  twin = await startTwin({
    port,
    dataDir,
    log,
    watch: !values['no-watch'],
    enforceIam: !values['no-iam'],
    // The twin logged why and stopped: the engine is gone for good.
    onFatal: () => process.exit(1),
    ...(values.assembly ? { assembly: values.assembly } : {}),
    ...(values.stack ? { stackName: values.stack } : {}),
    ...(process.env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT } : {}),
  });
  // 12 h, unless the app's authorizer allows less (its jwtMaxLifetimeSeconds, set for the twin through the env).
  const ttl = Math.min(12 * 3600, Number(process.env.API_JWT_MAX_LIFETIME_SECONDS) || 12 * 3600);
  const token = await twin.token({ sub: 'dev', tenant: 'dev', ttlSeconds: ttl });
  const first = twin.routes.find((r) => r.method === 'GET' && !r.path.includes('{'));
  const width = Math.max(...twin.routes.map((r) => r.method.length));
  const routes = twin.routes
    .filter((r) => r.method !== 'OPTIONS')
    .map(
      (r) =>
        `  ${r.method.padEnd(width)}  ${r.path}${r.functionLogicalId ? dim(`  -> ${r.functionLogicalId}`) : ''}`,
    )
    .join('\n');
  process.stdout.write(`
The API is served at ${twin.url}

Routes (OPTIONS preflight on each path as well):
${routes}

API key:  ${twin.apiKey}
A token (tenant "dev", ${ttl % 3600 ? `${ttl} s` : `${ttl / 3600} h`}; more with: npm run token -- --sub <subject> --tenant <tenant>):
  ${token}

Try it:
  curl -s -H 'x-api-key: ${twin.apiKey}' -H 'authorization: Bearer ${token}' ${twin.url}${first?.path ?? '/'}

Data, keys and local.json are in ${dataDir}. Ctrl-C stops.
Ready: ${twin.url}
`);
} catch (e) {
  if (e instanceof EngineStartError) {
    process.stderr.write(`\n${e.message}\n`);
  } else {
    process.stderr.write(`\nThe twin could not start: ${(e as Error).message}\n`);
  }
  await twin?.stop();
  process.exit(1);
}
