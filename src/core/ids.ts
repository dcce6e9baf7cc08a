/**
 * Item ids: UUIDv7 (RFC 9562), so ids sort by creation time and the table's sort key doubles as the
 * default list order. Within one millisecond a 12-bit counter in `rand_a` keeps ids of this environment
 * strictly increasing (RFC 9562 §6.2, method 1).
 * @module
 */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
const rnd = new Uint8Array(8);

/** A new UUIDv7 string. `now` is injectable for tests. */
export function uuidv7(now: number = Date.now()): string {
  let ms = now;
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  randomFillSync(rnd);
  const hex = ms.toString(16).padStart(12, '0');
  const a = (0x7000 | counter).toString(16);
  const b = ((rnd[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0') + rnd[1]!.toString(16).padStart(2, '0');
  let c = '';
  for (let i = 2; i < 8; i++) c += rnd[i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}-${a}-${b}-${c}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether a string is a well-formed (lower-case) UUID, as every id we issue is. */
export function isId(s: string): boolean {
  return UUID.test(s);
}
