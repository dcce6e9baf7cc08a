/**
 * `npm run bench:leak`: tells a leak from a heap that grows lazily. Runs the bundled create and get functions of
 * the synthesized stack in this process (against a twin's DynamoDB Local), thousands of invocations per round,
 * and prints the V8 heap in use after a forced full GC at the end of each round. A handler that leaks grows
 * from round to round; the twin's RSS can grow for a while without a leak (V8 commits heap lazily).
 *
 * Needs `--expose-gc` (the npm script passes it). Not part of `npm run bench`: it explains a figure.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { loadStack } from '../local/assembly/index';
import { parseCommandLine } from '../local/cli-args';
import { startTwin } from '../local/twin';
import { TENANT } from './lib/fixtures';

parseCommandLine(
  `usage: npm run bench:leak

Heap in use after a full GC, round after round, for the bundled create and get functions.
Environment: LEAK_ROUNDS (default 6), LEAK_INVOCATIONS (default 3000), LEAK_OPS (default create,get).

  -h, --help  this text`,
  {},
);
const ROUNDS = Number(process.env.LEAK_ROUNDS ?? 6);
const PER_ROUND = Number(process.env.LEAK_INVOCATIONS ?? 3000);
/** `create`, `get` or both (default): gets read items made before the first round. */
const OPS = (process.env.LEAK_OPS ?? 'create,get').split(',');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench:leak)');

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;

const event = (method: string, resource: string, path: string, body: string | null, id?: string) => ({
  resource,
  path,
  httpMethod: method,
  headers: { 'content-type': 'application/json' },
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: id ? { id } : null,
  stageVariables: null,
  body,
  isBase64Encoded: false,
  requestContext: { requestId: 'leak-check', path, authorizer: { tenant: TENANT, principal: 'bench-user' } },
});

const dataDir = mkdtempSync(join(tmpdir(), 'crud-leak-'));
const twin = await startTwin({ port: 0, dataDir, inMemory: true, enforceIam: false });
try {
  const specs = loadStack({ assemblyDir: join(dataDir, 'cdk.out'), dataDir }).functions();
  // One process for both functions: they share the table name and secret variables.
  for (const spec of specs) {
    if (spec.logicalId === 'CreateFunction' || spec.logicalId === 'GetFunction')
      Object.assign(process.env, spec.environment);
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: twin.engineEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const load = async (logicalId: string): Promise<Handler> => {
    const spec = specs.find((s) => s.logicalId === logicalId);
    if (!spec?.codeDir) throw new Error(`${logicalId} is not in the assembly`);
    return (await import(pathToFileURL(join(spec.codeDir, 'index.mjs')).href)).handler as Handler;
  };
  const create = await load('CreateFunction');
  const get = await load('GetFunction');
  const context = { awsRequestId: 'leak-check' };
  const seeded: string[] = [];
  for (let i = 0; i < 100; i++) {
    const made = await create(
      event('POST', '/items', '/items', JSON.stringify({ name: 's', price: i })),
      context,
    );
    seeded.push(JSON.parse(made.body).id as string);
  }
  console.log(`${ROUNDS} rounds of ${PER_ROUND} x ${OPS.join(' + ')}; heap in use after a full GC:`);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < PER_ROUND; i++) {
      if (OPS.includes('create')) {
        const made = await create(
          event('POST', '/items', '/items', JSON.stringify({ name: `n${i}`, price: i })),
          context,
        );
        if (made.statusCode !== 201) throw new Error(`create: ${made.statusCode} ${made.body}`);
      }
      if (OPS.includes('get')) {
        const id = seeded[i % seeded.length] as string;
        const got = await get(event('GET', '/items/{id}', `/items/${id}`, null, id), context);
        if (got.statusCode !== 200) throw new Error(`get: ${got.statusCode} ${got.body}`);
      }
    }
    gc();
    console.log(`  round ${round + 1}: ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MB`);
  }
} finally {
  await twin.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
