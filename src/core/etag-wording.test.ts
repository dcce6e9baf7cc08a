/** What a client reads when a conditional header is outside RFC 9110's grammar, and the grammar's edges. */
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from './errors';
import { etagOf, ifMatchVersions, MAX_TAGS, parseTagCondition, strongMatch, weakMatch } from './etag';

function errorsOf(v: string, name = 'If-Match') {
  try {
    parseTagCondition(v, name);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationFailed);
    return (e as ValidationFailed).errors;
  }
  return 'parsed';
}

describe('conditional header errors', () => {
  it.each([
    ['7', 'must be "*" or a list of quoted entity tags such as "3"'],
    ['W/7', 'must be "*" or a list of quoted entity tags such as "3"'],
    ['"7', 'has an entity tag without its closing quote, or with a character tags cannot hold'],
    ['"a b"', 'has an entity tag without its closing quote, or with a character tags cannot hold'],
    ['"a\x7fb"', 'has an entity tag without its closing quote, or with a character tags cannot hold'],
    ['"7" "8"', 'must separate entity tags with commas'],
    ['"7"x', 'must separate entity tags with commas'],
    ['', 'must be "*" or at least one entity tag'],
    [' ,\t, ', 'must be "*" or at least one entity tag'],
  ])('%j: %s', (v, message) => {
    expect(errorsOf(v, 'If-None-Match')).toEqual([{ pointer: '/headers/if-none-match', message }]);
  });

  it('takes every character RFC 9110 allows in a tag: ! # to ~ and obs-text', () => {
    const tag = `"!#${String.fromCharCode(0x7e)}\u0080ÿ"`;
    expect(parseTagCondition(tag, 'If-Match')).toEqual({ any: false, tags: [{ weak: false, opaque: tag }] });
    expect(parseTagCondition('W/"7"\t,\t"8" ', 'If-Match')).toEqual({
      any: false,
      tags: [
        { weak: true, opaque: '"7"' },
        { weak: false, opaque: '"8"' },
      ],
    });
  });

  it('takes up to 100 tags', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => etagOf(i + 1)).join(',');
    expect(MAX_TAGS).toBe(100);
    expect(errorsOf(list(100))).toBe('parsed');
    expect(errorsOf(list(101))).toEqual([
      { pointer: '/headers/if-match', message: 'must list at most 100 entity tags' },
    ]);
  });
});

describe('tag comparison', () => {
  it('strong: both strong and equal; weak: equal', () => {
    const s = (opaque: string, weak = false) => ({ weak, opaque });
    expect(strongMatch(s('"1"'), s('"1"'))).toBe(true);
    expect(strongMatch(s('"1"', true), s('"1"'))).toBe(false);
    expect(strongMatch(s('"1"'), s('"1"', true))).toBe(false);
    expect(strongMatch(s('"1"'), s('"2"'))).toBe(false);
    expect(weakMatch(s('"1"', true), s('"1"'))).toBe(true);
    expect(weakMatch(s('"1"'), s('"2"', true))).toBe(false);
  });

  it('reads versions of up to 15 digits from If-Match, and no other tag', () => {
    const versions = (v: string) => ifMatchVersions(parseTagCondition(v, 'If-Match'));
    expect(versions('"999999999999999"')).toEqual([999_999_999_999_999]);
    expect(versions('"1000000000000000", "0", "-1", "1.5", "1e3"')).toEqual([]);
    expect(ifMatchVersions(undefined)).toBeUndefined();
  });
});
