/**
 * Pages that fit in one Lambda response. A synchronous invocation's response is at most 6 MB (Lambda quotas;
 * the `Invoke` API: "For synchronous invocations, the maximum payload size is 6 MB"), and the limit applies to
 * the whole proxy result object as Lambda serializes it: status, headers, and the body, a JSON string inside
 * JSON, so every quote and backslash of the body counts twice. A page of large items (a control character is
 * 1 byte stored, 6 in the body and 7 in the result) would otherwise be a 502 from API Gateway. A page stops
 * before the next item would pass the limit, and its cursor continues right after the last item it holds.
 * @module
 */
import type { HttpReply } from './http';

/** Lambda's limit on a synchronous response (6 MiB, the stricter reading of "6 MB"). */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024;
/** Room kept for what the body is wrapped in: `statusCode`, the headers, the result's own JSON. */
const ENVELOPE_BYTES = 8 * 1024;

/** Bytes a piece of the body takes inside the result: as a JSON string, less its two quotes. */
function resultBytes(json: string): number {
  return Buffer.byteLength(JSON.stringify(json)) - 2;
}

/**
 * How many serialized entries fit in `budget` result bytes with the cursor that would follow the last of them
 * (at least one: an item is at most 400 KB, DynamoDB's item limit, so a page always makes progress).
 */
function fitting(
  parts: readonly string[],
  budget: number,
  cursorAt: (n: number) => string | null,
): { n: number; cursor: string | null } {
  const all = cursorAt(parts.length);
  // Re-escaping JSON at most triples its UTF-16 length in UTF-8 bytes: most pages need no exact count.
  let units = (all?.length ?? 4) + 4;
  for (const p of parts) units += p.length + 1;
  if (units * 3 <= budget) return { n: parts.length, cursor: all };
  const prefix = [0];
  for (let i = 0; i < parts.length && prefix[i]! <= budget; i++)
    prefix.push(prefix[i]! + resultBytes(parts[i]!) + 1);
  let n = prefix.length - 1;
  while (n > 0 && prefix[n]! > budget) n--;
  for (; n > 1; n--) {
    const cursor = cursorAt(n);
    if (prefix[n]! + resultBytes(JSON.stringify(cursor)) <= budget) return { n, cursor };
  }
  const n1 = Math.min(1, parts.length);
  return { n: n1, cursor: cursorAt(n1) };
}

/**
 * The 200 reply of one page: `{ [member]: entries, nextCursor }`, serialized here (once) with as many entries
 * as fit in a Lambda response. `cursorAfter(i)` is the cursor continuing after entry `i`; `next` the one the
 * store gave for the full page (null at the end).
 */
export function pageReply(
  member: string,
  entries: readonly unknown[],
  next: string | null,
  cursorAfter: (index: number) => string,
  maxBytes: number = MAX_RESULT_BYTES,
): HttpReply {
  const parts = entries.map((e) => JSON.stringify(e));
  const budget = maxBytes - ENVELOPE_BYTES - resultBytes(JSON.stringify({ [member]: [], nextCursor: null }));
  const { n, cursor } = fitting(parts, budget, (k) => (k === parts.length ? next : cursorAfter(k - 1)));
  return {
    status: 200,
    json: `{${JSON.stringify(member)}:[${parts.slice(0, n).join(',')}],"nextCursor":${JSON.stringify(cursor)}}`,
  };
}
