/**
 * DynamoDB's attribute-value JSON, for the plain JSON values our items hold (strings, finite numbers,
 * booleans, null, lists, maps). Sets and binary are never written by us, and are read as plain arrays.
 * Written here rather than imported: it is 40 lines, and `@aws-sdk/util-dynamodb` would bring its own
 * module graph to every cold start.
 * @module
 */

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { B: string }
  | { BS: string[] };

export type AttributeMap = Record<string, AttributeValue>;

export function toAttr(v: unknown): AttributeValue {
  switch (typeof v) {
    case 'string':
      return { S: v };
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('numbers must be finite');
      return { N: String(v) };
    case 'boolean':
      return { BOOL: v };
    case 'object':
      if (v === null) return { NULL: true };
      if (Array.isArray(v)) return { L: v.map(toAttr) };
      return { M: marshall(v as Record<string, unknown>) };
    default:
      throw new TypeError(`cannot store a ${typeof v}`);
  }
}

/**
 * Sets a member as data. A client's JSON may name one `__proto__` (JSON.parse makes it an own member); a plain
 * assignment would set the prototype instead, and the member would silently vanish from what is stored.
 */
function setMember<T>(out: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__')
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/** A plain object to an attribute map; `undefined` members are left out. */
export function marshall(o: Readonly<Record<string, unknown>>): AttributeMap {
  const out: AttributeMap = {};
  for (const k in o) if (o[k] !== undefined) setMember(out, k, toAttr(o[k]));
  return out;
}

export function fromAttr(a: AttributeValue): unknown {
  if ('S' in a) return a.S;
  if ('N' in a) return Number(a.N);
  if ('BOOL' in a) return a.BOOL;
  if ('NULL' in a) return null;
  if ('L' in a) return a.L.map(fromAttr);
  if ('M' in a) return unmarshall(a.M);
  if ('SS' in a) return [...a.SS];
  if ('NS' in a) return a.NS.map(Number);
  if ('B' in a) return a.B;
  if ('BS' in a) return [...a.BS];
  throw new TypeError(`unknown attribute type ${Object.keys(a).join()}`);
}

export function unmarshall(m: Readonly<AttributeMap>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in m) setMember(out, k, fromAttr(m[k]!));
  return out;
}
