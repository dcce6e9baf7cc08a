/**
 * Retrying a write that lost a race: exponential backoff with full jitter, bounded by a time budget rather
 * than only a count, so that a function gives up well inside its own timeout and the client hears why.
 * @module
 */

/** How a contended write retries. */
export interface BackoffPolicy {
  /** Total time, from the first attempt, after which no retry is started. @default 2000 */
  readonly budgetMs?: number;
  /** Upper bound of the first wait; doubled each retry. @default 10 */
  readonly baseMs?: number;
  /** Upper bound of any one wait. @default 200 */
  readonly capMs?: number;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default Date.now */
  readonly clock?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A retry gate: each call waits a jittered delay and resolves true, or resolves false at once when the wait
 * would end past the budget. Full jitter (a uniform wait up to the bound) spreads racing clients apart, so
 * they stop colliding on the same version.
 * @example
 * const retry = backoff();
 * for (;;) { try { return await write(); } catch (e) { if (!lostRace(e) || !(await retry())) throw e; } }
 */
export function backoff(policy: BackoffPolicy = {}): () => Promise<boolean> {
  const { budgetMs = 2000, baseMs = 10, capMs = 200 } = policy;
  const random = policy.random ?? Math.random;
  const clock = policy.clock ?? Date.now;
  const sleep = policy.sleep ?? wait;
  const deadline = clock() + budgetMs;
  let attempt = 0;
  return async function retry(): Promise<boolean> {
    const delay = random() * Math.min(capMs, baseMs * 2 ** attempt++);
    if (clock() + delay > deadline) return false;
    await sleep(delay);
    return true;
  };
}
