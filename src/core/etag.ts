/**
 * Entity tags and the conditional request headers (RFC 9110 §8.8.3, §13.1). An item's representation is a
 * function of its version, so the tag is the version, as a strong validator.
 * @module
 */
import { BadRequest } from './errors';

/** The strong entity tag of an item version: `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** A parsed `If-Match` / `If-None-Match`: any (`*`) or a list of strong/weak tags. */
export type TagCondition = { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

const TAG = /^\s*(W\/)?("[^"]*")\s*$/;

/** Parses the header value; undefined when absent. Malformed lists are a 400. */
export function parseTagCondition(header: string | undefined, name: string): TagCondition | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return { any: true };
  const tags: string[] = [];
  for (const part of header.split(',')) {
    const m = TAG.exec(part);
    if (!m) throw new BadRequest(`${name} must be "*" or a list of entity tags such as "3"`);
    tags.push((m[1] ?? '') + m[2]);
  }
  return { any: false, tags };
}

/** `If-Match` uses the strong comparison: a weak tag never matches. */
export function ifMatchVersion(cond: TagCondition | undefined): number | 'any' | 'none' | undefined {
  if (!cond) return undefined;
  if (cond.any) return 'any';
  for (const t of cond.tags) {
    const m = /^"(\d{1,15})"$/.exec(t);
    if (m) return Number(m[1]);
  }
  return 'none';
}

/** `If-None-Match` uses the weak comparison. */
export function noneMatch(cond: TagCondition | undefined, version: number): boolean {
  if (!cond) return true;
  if (cond.any) return false;
  const tag = etagOf(version);
  return !cond.tags.some((t) => t === tag || t === `W/${tag}`);
}
