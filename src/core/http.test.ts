import { describe, expect, it } from 'vitest';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from './errors';
import { type HttpRequest, mediaType, readJsonBody, single } from './http';

const req = (
  body: string | undefined,
  contentType?: string,
  query: HttpRequest['query'] = {},
): HttpRequest => ({
  headers: contentType === undefined ? {} : { 'content-type': contentType },
  query,
  body,
});

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

describe('mediaType', () => {
  it('is the lower-case type without parameters, or undefined', () => {
    expect(mediaType(' Application/JSON ; charset=utf-8')).toBe('application/json');
    expect(mediaType('text/plain')).toBe('text/plain');
    expect(mediaType(undefined)).toBeUndefined();
    expect(mediaType('')).toBeUndefined();
    expect(mediaType(' ; charset=utf-8')).toBeUndefined();
  });
});

describe('readJsonBody', () => {
  const json = ['application/json'];

  it('parses a body of an accepted type', () => {
    expect(readJsonBody(req('{"a":[1]}', 'application/json; charset=utf-8'), json, 100)).toEqual({ a: [1] });
    expect(readJsonBody(req('null', 'APPLICATION/JSON'), json, 4)).toBeNull();
  });

  it('wants a body: 400', () => {
    for (const body of [undefined, '']) {
      const e = thrown(() => readJsonBody(req(body, 'application/json'), json, 100));
      expect(e).toBeInstanceOf(BadRequest);
      expect(e.message).toBe('a JSON body is required');
    }
  });

  it('names the accepted types, and the one sent: 415', () => {
    const none = thrown(() => readJsonBody(req('{}'), ['a/b', 'c/d'], 100));
    expect(none).toBeInstanceOf(UnsupportedMediaType);
    expect(none.message).toBe('Content-Type must be a/b or c/d');
    expect(thrown(() => readJsonBody(req('{}', 'text/plain'), json, 100)).message).toBe(
      'Content-Type must be application/json, not text/plain',
    );
  });

  it('counts UTF-8 bytes against the limit: 413', () => {
    expect(readJsonBody(req('"éé"', 'application/json'), json, 6)).toBe('éé');
    const e = thrown(() => readJsonBody(req('"éé"', 'application/json'), json, 5));
    expect(e).toBeInstanceOf(PayloadTooLarge);
    expect(e.message).toBe('the body is larger than 5 bytes');
  });

  it('says why JSON does not parse: 400', () => {
    const e = thrown(() => readJsonBody(req('{"a":', 'application/json'), json, 100));
    expect(e).toBeInstanceOf(BadRequest);
    expect(e.message).toMatch(/^the body is not valid JSON: ./);
  });
});

describe('single', () => {
  it('is the one value of a parameter, or undefined', () => {
    const r = req(undefined, undefined, { a: ['1'], e: [], toString: ['x'] });
    expect(single(r, 'a')).toBe('1');
    expect(single(r, 'e')).toBeUndefined();
    expect(single(r, 'b')).toBeUndefined();
    expect(single(r, 'toString')).toBe('x');
  });

  it('refuses a repeated parameter, naming it', () => {
    const e = thrown(() => single(req(undefined, undefined, { limit: ['1', '1'] }), 'limit'));
    expect(e).toBeInstanceOf(ValidationFailed);
    expect((e as ValidationFailed).errors).toEqual([
      { pointer: '/query/limit', message: 'must be given once' },
    ]);
  });
});
