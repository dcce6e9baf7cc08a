// Runs one Lambda bundle in this fresh process, as Lambda's INIT then INVOKE phases would: imports the
// bundle, calls its handler with the first event (the cold invocation), then optionally `warm` more times with
// the following events (cycling). Prints one line `@@bench {...}` with the timings and the first result's
// status, then exits at once (keep-alive sockets would otherwise hold the process open).
//
// usage: node invoke.mjs <bundle.mjs> <events.json> [warm]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile, warmArg] = process.argv.slice(2);
const warm = Number(warmArg ?? 0);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const context = () => ({
  awsRequestId: randomUUID(),
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10_000,
  callbackWaitsForEmptyEventLoop: false,
});
const statusOf = (r) =>
  r?.statusCode ?? (r?.policyDocument ? r.policyDocument.Statement[0].Effect : r ? 'ok' : r);

const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const t1 = performance.now();
let status;
try {
  status = statusOf(await mod.handler(events[0], context()));
} catch (e) {
  status = `threw ${e?.message ?? e}`;
}
const t2 = performance.now();
const warmMs = [];
for (let i = 1; i <= warm; i++) {
  const s = performance.now();
  await mod.handler(events[i % events.length], context());
  warmMs.push(performance.now() - s);
}
process.stdout.write(`\n@@bench ${JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1, status, warmMs })}\n`);
process.exit(0);
