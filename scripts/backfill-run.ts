/**
 * The loop behind `npm run backfill`: invokes the backfill function for each scan segment until its answer
 * has no `resumeKey`, reporting each answer, and keeps the state a later run resumes from.
 * @module
 */

import type { BackfillAnswer } from '../src/core/backfill';

export type { BackfillAnswer };

/** Where a run stands: the segments not yet done and where each resumes (`null`: from its start). */
export interface ResumeState {
  readonly totalSegments: number;
  readonly pending: { segment: number; startKey: Record<string, unknown> | null }[];
}

/** Invokes the function with one event; throws with the function's error when it failed. */
export type InvokeBackfill = (event: Record<string, unknown>) => Promise<BackfillAnswer>;

/** Options of {@link runBackfill}. */
export interface RunOptions {
  /** Parallel scan segments (ignored when resuming: the state names them). @default 1 */
  readonly segments?: number;
  /** Target capacity units per second, shared by the segments. @default 50 */
  readonly unitsPerSecond?: number;
  readonly pageSize?: number;
  /** Seconds per invocation before it answers with its progress. @default 60 */
  readonly maxSeconds?: number;
  /** The state a previous run printed. */
  readonly resume?: ResumeState;
}

/** Totals of a run. */
export interface RunTotals {
  scanned: number;
  rewritten: number;
  raced: number;
  undeclared: number;
  capacityUnits: number;
}

/** Checks a `--resume` value; throws naming what is wrong. */
export function parseResume(text: string): ResumeState {
  const o = JSON.parse(text) as ResumeState;
  const total = o?.totalSegments;
  if (!Number.isInteger(total) || total < 1 || !Array.isArray(o.pending))
    throw new Error('--resume must be the JSON a previous run printed ({"totalSegments":..,"pending":[..]})');
  for (const p of o.pending)
    if (!Number.isInteger(p?.segment) || p.segment < 0 || p.segment >= total)
      throw new Error(`--resume names segment ${JSON.stringify(p?.segment)} of ${total}`);
  return o;
}

/**
 * Runs every pending segment to its end, in parallel; `state` always holds where each stands, so a failure
 * (or Ctrl-C) leaves a state to resume from.
 */
export async function runBackfill(
  invoke: InvokeBackfill,
  opts: RunOptions,
  report: (a: BackfillAnswer, totals: RunTotals, state: ResumeState) => void,
): Promise<{ totals: RunTotals; state: ResumeState }> {
  const totalSegments = opts.resume?.totalSegments ?? opts.segments ?? 1;
  const pending =
    opts.resume?.pending.map((p) => ({ ...p })) ??
    Array.from({ length: totalSegments }, (_, segment) => ({ segment, startKey: null }));
  const state: ResumeState = { totalSegments, pending };
  const totals: RunTotals = { scanned: 0, rewritten: 0, raced: 0, undeclared: 0, capacityUnits: 0 };
  const perSegment = Math.max(1, Math.floor((opts.unitsPerSecond ?? 50) / Math.max(1, pending.length)));
  const walk = async (p: (typeof pending)[number]) => {
    for (;;) {
      const a = await invoke({
        segment: p.segment,
        totalSegments,
        startKey: p.startKey,
        unitsPerSecond: perSegment,
        ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
        ...(opts.maxSeconds ? { maxSeconds: opts.maxSeconds } : {}),
      });
      for (const k of ['scanned', 'rewritten', 'raced', 'undeclared', 'capacityUnits'] as const)
        totals[k] += Number(a[k]) || 0;
      if (a.resumeKey === null) pending.splice(pending.indexOf(p), 1);
      else p.startKey = a.resumeKey;
      report(a, totals, state);
      if (a.resumeKey === null) return;
    }
  };
  const results = await Promise.allSettled([...pending].map(walk));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw Object.assign(new Error(String(failed.reason?.message ?? failed.reason)), { state });
  return { totals, state };
}
