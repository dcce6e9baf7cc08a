/**
 * The backfill function (no API route): rewrites the derived index attributes of item records written before
 * a filter or sort field was declared, or under an older declaration. Invoked by `npm run backfill` (or
 * `aws lambda invoke`) until its answer has no `resumeKey`; each invocation walks Scan pages for up to
 * `maxSeconds`, paced to `unitsPerSecond`, and answers with its counts and where to resume.
 * @module
 */
import type { Context } from 'aws-lambda';
import { type BackfillAnswer, type BackfillPlan, backfillPlan, paceDelayMs } from '../core/backfill';
import { shapes } from '../resources/shapes';
import { type BackfillPage, DynamoBackfill } from '../store/backfill-store';
import { DynamoDB } from '../store/dynamodb';
import type { AttributeMap } from '../store/marshal';
import { config } from './config';
import { log } from './logger';

/** What one invocation answers. */
export type BackfillResult = BackfillAnswer<AttributeMap>;

const backfill = new DynamoBackfill(new DynamoDB(), config.tableName, shapes);
/** Time kept back from the function's timeout to answer in: one more page and its updates. */
const MARGIN_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(plan: BackfillPlan, remainingMs: () => number): Promise<BackfillResult> {
  const started = Date.now();
  const deadline = started + plan.maxSeconds * 1000;
  const totals = { scanned: 0, rewritten: 0, raced: 0, undeclared: 0, capacityUnits: 0 };
  let key = plan.startKey as AttributeMap | undefined;
  do {
    const page: BackfillPage = await backfill.page({
      segment: plan.segment,
      totalSegments: plan.totalSegments,
      limit: plan.pageSize,
      ...(key ? { startKey: key } : {}),
    });
    totals.scanned += page.scanned;
    totals.rewritten += page.rewritten;
    totals.raced += page.raced;
    totals.undeclared += page.undeclared;
    totals.capacityUnits += page.capacity;
    key = page.nextKey;
    // Rate limiting, not synchronisation: stay under the target rate averaged over the invocation.
    const wait = paceDelayMs(totals.capacityUnits, Date.now() - started, plan.unitsPerSecond);
    if (key && wait > 0) await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
  } while (key && Date.now() < deadline && remainingMs() > MARGIN_MS);
  return { segment: plan.segment, totalSegments: plan.totalSegments, ...totals, resumeKey: key ?? null };
}

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  const plan = backfillPlan(event);
  const remaining = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  const result = await run(plan, remaining);
  log('INFO', 'backfill', { ...result, resumeKey: result.resumeKey ? 'more' : null });
  return result;
}
