/**
 * Maps keyed by what a client or a template names (header, query, path and stage-variable names, authorizer
 * context keys, template names). A plain `{}` would answer `toString`, `constructor` or `__proto__` from
 * `Object.prototype` and drop a `__proto__` member on assignment; these have no prototype, so every name is data.
 * They still serialize (JSON, structured clone) to ordinary objects with exactly their own members.
 * @module
 */

/** An empty prototype-less map. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A copy of `o`'s own members as a prototype-less map. */
export function dictOf<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(dict<T>(), o);
}

/** `o[k]` when it is `o`'s own member, whatever `o`'s prototype; `undefined` otherwise. */
export function own<T>(o: Readonly<Record<string, T>> | null | undefined, k: string): T | undefined {
  return o != null && Object.hasOwn(o, k) ? o[k] : undefined;
}
