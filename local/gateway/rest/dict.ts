/**
 * Maps keyed by what a client or a template names (header, query, path and stage-variable names, authorizer
 * context keys, template names). A plain `{}` would answer `toString`, `constructor` or `__proto__` from
 * `Object.prototype` and drop a `__proto__` member on assignment; these inherit nothing, so every name is data.
 * They still serialize (JSON, structured clone) to ordinary objects with exactly their own members.
 * @module
 */

/**
 * Instances inherit from an empty, frozen `Object.create(null)`: nothing to inherit, as with `Object.create(null)`
 * itself, but objects made by a constructor keep V8's fast properties, where `Object.create(null)` makes a
 * dictionary-mode object that is slower to fill, serialize and clone on every request.
 */
function Bag(): void {}
Bag.prototype = Object.freeze(Object.create(null));

/** An empty map that inherits nothing. */
export function dict<T>(): Record<string, T> {
  return new (Bag as unknown as new () => Record<string, T>)();
}

/** A copy of `o`'s own members as a map that inherits nothing. */
export function dictOf<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(dict<T>(), o);
}

/** `o[k]` when it is `o`'s own member, whatever `o`'s prototype; `undefined` otherwise. */
export function own<T>(o: Readonly<Record<string, T>> | null | undefined, k: string): T | undefined {
  return o != null && Object.hasOwn(o, k) ? o[k] : undefined;
}
