/**
 * `binaryMediaTypes` matching: a request or response is binary when its media type (the first one of `Accept`)
 * matches an entry, with `*` wildcards (`image/*`, `*\/*`).
 * @module
 */

/** Compiles binary media types into one matcher. */
export function binaryMatcher(types: readonly string[]): (contentType: string | undefined) => boolean {
  if (types.length === 0) return () => false;
  const res = types.map((t) => {
    const esc = t
      .trim()
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*');
    return new RegExp(`^${esc}$`);
  });
  return (contentType) => {
    if (!contentType) return false;
    // Only the first media type counts, without parameters.
    const first = contentType.split(',')[0]!.split(';')[0]!.trim().toLowerCase();
    return first !== '' && res.some((r) => r.test(first));
  };
}
