/**
 * Cases that need set-up or concurrency, run once per run rather than generated: a list page over Lambda's
 * 6 MB response limit, and a burst of concurrent patches to one item.
 * @module
 */
import type { Violation } from './invariants';
import type { FuzzCase } from './requests';
import { api, type FuzzStats, type FuzzTarget, runCase } from './runner';

/**
 * A list page whose items add up to more than Lambda's 6 MB response limit: 100 notes of 10,000 control
 * characters, each written back as a 6-byte JSON escape. Seeds its own tenant, so the generated cases' lists
 * stay small.
 */
export async function bigPageCase(target: FuzzTarget): Promise<FuzzCase> {
  const body = '\u0001'.repeat(10_000);
  for (let i = 0; i < 100; i += 10) {
    const batch = Array.from({ length: 10 }, (_, j) => ({ title: `big-${i + j}`, body }));
    await Promise.all(batch.map((note) => api(target.twin, target.tokens.big, 'POST', '/notes', note)));
  }
  return { method: 'GET', target: '/notes?limit=100', auth: 'big', headers: [] };
}

/**
 * `concurrency` patches to one new item at once, every third with `If-Match: "1"`: each answer keeps the
 * invariants, every patch without `If-Match` succeeds (it retries on a race, README "Writes without
 * If-Match"), and the item's version counts every success.
 */
export async function contention(
  target: FuzzTarget,
  stats: FuzzStats,
  concurrency = Number(process.env.FUZZ_CONTENTION ?? 12),
): Promise<Violation[]> {
  const item = await api(target.twin, target.tokens.b, 'POST', '/items', { name: 'contended', price: 0 });
  const patches: FuzzCase[] = Array.from({ length: concurrency }, (_, i) => ({
    method: 'PATCH',
    target: `/items/${item.id}`,
    auth: 'b',
    headers: [
      ['Content-Type', 'application/merge-patch+json'],
      ...(i % 3 === 2 ? [['If-Match', '"1"'] as const] : []),
    ],
    body: Buffer.from(JSON.stringify({ price: i + 1 })),
  }));
  const statuses: number[] = [];
  const violations: Violation[] = [];
  await Promise.all(
    patches.map(async (c) => {
      violations.push(...(await runCase(target, c, stats, (status) => statuses.push(status))));
    }),
  );
  const unconditional = patches.filter((c) => c.headers.length === 1).length;
  const succeeded = statuses.filter((s) => s === 200).length;
  const final = await api(target.twin, target.tokens.b, 'GET', `/items/${item.id}`);
  if (succeeded < unconditional || final.version !== 1 + succeeded) {
    violations.push({
      kind: 'concurrent patches lost',
      detail: `${concurrency} PATCH /items/{id} at once (${unconditional} without If-Match): ${succeeded} answered 200, version ${final.version}`,
    });
  }
  return violations;
}
