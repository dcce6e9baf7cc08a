/**
 * `npm run backfill`: brings existing items into the indexes of the current declarations (new or changed
 * filter and sort fields, a new TTL field) by invoking the stack's backfill function until it is done.
 *
 *   npm run backfill                                         the running twin (DATA_DIR, default .data)
 *   npm run backfill -- --function <name> --region <region>  on AWS (the stack's BackfillFunctionName output)
 *
 * Prints one line per answer (segment, items scanned and rewritten, capacity used) and, if it stops early,
 * the `--resume` value that continues where it stopped. Exit 0 when done, 1 when a call failed, 2 on usage.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine, usageError } from '../local/cli-args';
import { type ApiTarget, invoke, send } from '../local/redrive/api';
import { awsCredentials } from '../local/redrive/credentials';
import { type BackfillAnswer, parseResume, type ResumeState, runBackfill } from './backfill-run';

const { values } = parseCommandLine(
  `usage: npm run backfill -- [--data-dir <dir>]                       (the running twin)
       npm run backfill -- --function <name> [--region <region>]     (on AWS)

Rewrites the index attributes of items written before a filter or sort field was declared (or changed), so
filtered and sorted lists find them. Resumable; paced to a target rate in capacity units.

  --segments <n>       parallel scan segments (default 1)
  --rate <units>       target capacity units per second, all segments together (default 50)
  --page-size <n>      items per Scan page (default 100)
  --max-seconds <n>    seconds per invocation before it reports progress (default 60)
  --resume <json>      the value a stopped run printed
  -h, --help           this text`,
  {
    'data-dir': { type: 'string' },
    function: { type: 'string' },
    region: { type: 'string' },
    segments: { type: 'string' },
    rate: { type: 'string' },
    'page-size': { type: 'string' },
    'max-seconds': { type: 'string' },
    resume: { type: 'string' },
  },
);
const out = (line: string) => process.stdout.write(`${line}\n`);

function positive(name: string): number | undefined {
  const raw = values[name as keyof typeof values] as string | undefined;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) usageError(`--${name} must be a positive integer, not ${raw}`);
  return n;
}

async function target(): Promise<{ api: ApiTarget; fn: string; where: string }> {
  if (values.function) {
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) usageError('--region is needed with --function (or set AWS_REGION)');
    return { api: { region, credentials: await awsCredentials(region) }, fn: values.function, where: region };
  }
  const file = join(resolve(values['data-dir'] ?? process.env.DATA_DIR ?? '.data'), 'local.json');
  if (!existsSync(file)) throw new Error(`${file} not found: start the twin first (npm start)`);
  const local = JSON.parse(readFileSync(file, 'utf8')) as { url: string };
  const lambdaEndpoint = new URL(local.url).origin;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  // The twin's Lambda API takes a logical id as a function name: the stack's BackfillFunction.
  return {
    api: { region: 'us-east-1', credentials, lambdaEndpoint },
    fn: 'BackfillFunction',
    where: lambdaEndpoint,
  };
}

const line = (a: BackfillAnswer) =>
  `segment ${a.segment + 1}/${a.totalSegments}: scanned ${a.scanned}, rewritten ${a.rewritten}, ` +
  `raced ${a.raced}, undeclared ${a.undeclared}, ${a.capacityUnits.toFixed(1)} capacity units, ` +
  `resume key ${a.resumeKey ? JSON.stringify(a.resumeKey) : 'none (segment done)'}`;

const segments = positive('segments');
const rate = positive('rate');
const pageSize = positive('page-size');
const maxSeconds = positive('max-seconds');
let resume: ResumeState | undefined;
try {
  resume = values.resume ? parseResume(values.resume) : undefined;
} catch (e) {
  usageError((e as Error).message);
}

try {
  const { api, fn, where } = await target();
  out(`Backfilling with ${fn} (${where})`);
  const call = async (event: Record<string, unknown>) => {
    const r = await send(invoke(api, fn, event));
    if (r.headers.get('x-amz-function-error')) throw new Error(`${fn} failed: ${r.text}`);
    return JSON.parse(r.text) as BackfillAnswer;
  };
  let latest: ResumeState | undefined;
  const again = values.function
    ? ` --function ${values.function} --region ${api.region}`
    : values['data-dir']
      ? ` --data-dir ${values['data-dir']}`
      : '';
  const resumeHint = (state: ResumeState) =>
    `resume with: npm run backfill --${again} --resume '${JSON.stringify(state)}'\n`;
  // Ctrl-C: the invocations under way finish on their own (and are redone, harmlessly, by the resumed run).
  process.once('SIGINT', () => {
    if (latest) process.stderr.write(`\nstopped. ${resumeHint(latest)}`);
    process.exit(130);
  });
  try {
    const { totals } = await runBackfill(
      call,
      {
        ...(segments ? { segments } : {}),
        ...(rate ? { unitsPerSecond: rate } : {}),
        ...(pageSize ? { pageSize } : {}),
        ...(maxSeconds ? { maxSeconds } : {}),
        ...(resume ? { resume } : {}),
      },
      (a, _totals, state) => {
        latest = state;
        out(line(a));
      },
    );
    out(
      `Done: scanned ${totals.scanned}, rewritten ${totals.rewritten}, raced ${totals.raced} (left to ` +
        `concurrent writes), ${totals.capacityUnits.toFixed(1)} capacity units.`,
    );
  } catch (e) {
    const state = (e as { state?: ResumeState }).state;
    process.stderr.write(`backfill stopped: ${(e as Error).message}\n`);
    if (state) process.stderr.write(resumeHint(state));
    process.exitCode = 1;
  }
} catch (e) {
  process.stderr.write(`backfill failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
