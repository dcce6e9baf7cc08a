/**
 * `npm run redrive`: replays the stream batches an event source mapping sent to its on-failure destination.
 *
 *   npm run redrive                                   the running twin's dead-letter files (DATA_DIR, default .data)
 *   npm run redrive -- --queue HistoryDeadLetters     only that destination (its logical id)
 *   npm run redrive -- --queue-url <SQS queue URL>    on AWS: that queue (region from the URL, or --region)
 *
 * Each message names a batch (stream, shard, first and last sequence numbers); the records are read back from
 * the stream, filtered by the mapping's filter criteria, and sent to the function the message names, as the
 * mapping would. A message is deleted once its batch succeeded, and kept (with why) otherwise. Exits 1 when a
 * message was kept. See `local/redrive/redrive.ts`.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine } from '../cli-args';
import type { ApiTarget } from './api';
import { awsCredentials } from './credentials';
import { type MessageSource, type RedriveSummary, redrive } from './redrive';
import { apiPorts, deadLetterFileSource, sqsSource } from './sources';

const { values } = parseCommandLine(
  `usage: npm run redrive -- [--data-dir <dir>] [--queue <logicalId>]      (the running twin's dead letters)
       npm run redrive -- --queue-url <url> [--region <region>]          (an on-failure queue on AWS)

Replays the stream batches a consumer gave up on: reads each batch back from the stream, invokes the consumer
as its event source mapping would, and deletes a message only once its batch succeeded.

  -h, --help  this text`,
  {
    'data-dir': { type: 'string' },
    queue: { type: 'string' },
    'queue-url': { type: 'string' },
    region: { type: 'string' },
  },
);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function plan(): Promise<{ source: MessageSource; target: ApiTarget; where: string }> {
  const queueUrl = values['queue-url'];
  if (queueUrl) {
    const region =
      values.region ?? /sqs[.-]([a-z0-9-]+)\.amazonaws/.exec(queueUrl)?.[1] ?? process.env.AWS_REGION;
    if (!region) throw new Error('--region is needed: the queue URL does not name one');
    const target: ApiTarget = { region, credentials: await awsCredentials(region) };
    return { source: sqsSource(target, queueUrl), target, where: queueUrl };
  }
  const dataDir = resolve(values['data-dir'] ?? process.env.DATA_DIR ?? '.data');
  const file = join(dataDir, 'local.json');
  if (!existsSync(file)) throw new Error(`${file} not found: start the twin first (npm start)`);
  const local = JSON.parse(readFileSync(file, 'utf8')) as { url: string; engineEndpoint?: string };
  if (!local.engineEndpoint)
    throw new Error(`${file} names no engine endpoint: restart the twin with this version`);
  const target: ApiTarget = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    streamsEndpoint: local.engineEndpoint,
    lambdaEndpoint: new URL(local.url).origin,
  };
  return {
    source: deadLetterFileSource(dataDir, values.queue),
    target,
    where: `${join(dataDir, 'dead-letters')}${values.queue ? ` (${values.queue})` : ''}`,
  };
}

function report(summary: RedriveSummary): void {
  log(`Replayed ${summary.replayed} message(s) (${summary.records} record(s)); kept ${summary.kept.length}.`);
}

try {
  const { source, target, where } = await plan();
  log(`Redriving ${where}`);
  const summary = await redrive(source, apiPorts(target), log);
  report(summary);
  process.exitCode = summary.kept.length > 0 ? 1 : 0;
} catch (e) {
  process.stderr.write(`redrive failed: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
