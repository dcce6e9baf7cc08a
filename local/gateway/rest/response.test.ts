import { describe, expect, it } from 'vitest';
import { binaryMatcher } from './media';
import { toHttpResponse } from './response';

const base = { statusCode: 200, headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false };
const png = binaryMatcher(['image/png']);

describe('Function: toHttpResponse', () => {
  it('merges headers, multiValueHeaders winning, and adds a default Content-Type', () => {
    const r = toHttpResponse(
      { ...base, headers: { A: '1', B: 'h' }, multiValueHeaders: { b: ['m1', 'm2'] } },
      png,
      undefined,
    )!;
    expect(r.headers).toEqual([
      ['A', ['1']],
      ['b', ['m1', 'm2']],
      ['Content-Type', ['application/json']],
    ]);
  });

  it('remaps WWW-Authenticate and framing headers to X-Amzn-Remapped-*', () => {
    const r = toHttpResponse(
      { ...base, headers: { 'WWW-Authenticate': 'Bearer', 'Content-Length': '3' } },
      png,
      undefined,
    )!;
    expect(r.headers.map(([k]) => k)).toEqual([
      'X-Amzn-Remapped-WWW-Authenticate',
      'X-Amzn-Remapped-Content-Length',
      'Content-Type',
    ]);
  });

  it('decodes base64 only when the Accept or Content-Type is a binary media type', () => {
    const body = Buffer.from([1, 2, 3]).toString('base64');
    expect(toHttpResponse({ ...base, body, isBase64Encoded: true }, png, 'image/png, */*')!.body).toEqual(
      Buffer.from([1, 2, 3]),
    );
    expect(toHttpResponse({ ...base, body, isBase64Encoded: true }, png, 'text/html')!.body.toString()).toBe(
      body,
    );
    expect(toHttpResponse({ ...base, body: '***', isBase64Encoded: true }, png, 'image/png')).toBeUndefined();
  });
});

describe('Function: binaryMatcher', () => {
  it('matches the first media type with wildcards', () => {
    const m = binaryMatcher(['image/*', 'application/octet-stream']);
    expect(m('image/jpeg; q=1')).toBe(true);
    expect(m('text/html, image/png')).toBe(false);
    expect(binaryMatcher(['*/*'])('text/plain')).toBe(true);
    expect(binaryMatcher([])('image/png')).toBe(false);
  });
});
