/**
 * Entity tags and the conditional request headers (RFC 9110 §8.8.3, §13.1.1, §13.1.2). An item's
 * representation is a function of its version, so the tag is the version, as a strong validator.
 *
 * Parsing follows the grammar: `If-Match = "*" / #entity-tag`, `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`,
 * `etagc = %x21 / %x23-7E / obs-text`, list elements separated by commas with optional whitespace and empty
 * elements allowed (§5.6.1). A tag may contain commas, so the list is scanned, not split. A value outside the
 * grammar (an unquoted tag, `*` beside tags, nothing but commas) is a 400 naming the header: ignoring it would
 * turn a conditional write into an unconditional one.
 * @module
 */
import { ValidationFailed } from './errors';

/** The strong entity tag of an item version: `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** One entity tag: `opaque` is the quoted string (`"3"`), `weak` whether it came with `W/`. */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** A parsed `If-Match` / `If-None-Match`: any (`*`) or a list of tags. */
export type TagCondition =
  | { readonly any: true }
  | { readonly any: false; readonly tags: readonly EntityTag[] };

/** DynamoDB's `IN` takes at most 100 operands; no client needs more versions than that in one condition. */
export const MAX_TAGS = 100;

const OWS = /[ \t]/;

function isEtagc(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

function malformed(name: string, message: string): ValidationFailed {
  return new ValidationFailed([{ pointer: `/headers/${name.toLowerCase()}`, message }]);
}

/** The tags of a list, or a message saying what is wrong with it. */
function scanTags(v: string): EntityTag[] | string {
  const tags: EntityTag[] = [];
  let i = 0;
  const skipOws = () => {
    while (i < v.length && OWS.test(v[i]!)) i++;
  };
  while (i < v.length) {
    skipOws();
    if (v[i] === ',') {
      i++;
      continue;
    }
    if (i >= v.length) break;
    const weak = v.startsWith('W/', i);
    if (weak) i += 2;
    if (v[i] !== '"') return 'must be "*" or a list of quoted entity tags such as "3"';
    const start = i++;
    while (i < v.length && isEtagc(v.charCodeAt(i))) i++;
    if (v[i] !== '"')
      return 'has an entity tag without its closing quote, or with a character tags cannot hold';
    tags.push({ weak, opaque: v.slice(start, ++i) });
    skipOws();
    if (i < v.length && v[i] !== ',') return 'must separate entity tags with commas';
  }
  return tags;
}

/**
 * Parses `If-Match` or `If-None-Match` (`name` is the header's name, for the error); undefined when absent.
 * @example
 * parseTagCondition('"7", W/"1"', 'If-Match') // { any: false, tags: [{ weak: false, opaque: '"7"' }, { weak: true, opaque: '"1"' }] }
 */
export function parseTagCondition(header: string | undefined, name: string): TagCondition | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return { any: true };
  const tags = scanTags(header);
  if (typeof tags === 'string') throw malformed(name, tags);
  if (tags.length === 0) throw malformed(name, 'must be "*" or at least one entity tag');
  if (tags.length > MAX_TAGS) throw malformed(name, `must list at most ${MAX_TAGS} entity tags`);
  return { any: false, tags };
}

/** Strong comparison (§8.8.3.2): both strong, and the same opaque tag. */
export function strongMatch(a: EntityTag, b: EntityTag): boolean {
  return !a.weak && !b.weak && a.opaque === b.opaque;
}

/** Weak comparison: the same opaque tag, weak or not. */
export function weakMatch(a: EntityTag, b: EntityTag): boolean {
  return a.opaque === b.opaque;
}

const tagOf = (version: number): EntityTag => ({ weak: false, opaque: etagOf(version) });

/**
 * What `If-Match` asks of a write: `undefined` (no header), `'any'` (`*`: the item must exist) or the versions
 * it accepts, from its tags under the strong comparison (a weak tag, or one no version has, never matches, so
 * the list can be empty).
 */
export function ifMatchVersions(cond: TagCondition | undefined): 'any' | readonly number[] | undefined {
  if (!cond) return undefined;
  if (cond.any) return 'any';
  const versions = new Set<number>();
  for (const t of cond.tags) {
    const m = /^"([1-9]\d{0,14})"$/.exec(t.opaque);
    if (m && !t.weak) versions.add(Number(m[1]));
  }
  return [...versions];
}

/** Whether `If-Match` holds for an existing item at `version` (strong comparison; `*` holds for any). */
export function ifMatchHolds(cond: TagCondition | undefined, version: number): boolean {
  if (!cond || cond.any) return true;
  const tag = tagOf(version);
  return cond.tags.some((t) => strongMatch(t, tag));
}

/**
 * Whether `If-None-Match` holds for an existing item at `version` (weak comparison): false when a tag matches,
 * or for `*`, which matches any current representation.
 */
export function noneMatch(cond: TagCondition | undefined, version: number): boolean {
  if (!cond) return true;
  if (cond.any) return false;
  const tag = tagOf(version);
  return !cond.tags.some((t) => weakMatch(t, tag));
}
