import { describe, expect, it } from 'vitest';
import { clfTime, eventHeaders, queryParameters, type RequestFacts } from './request';

const facts = (rawHeaders: string[]): RequestFacts => ({
  httpMethod: 'GET',
  path: '/',
  query: '',
  rawHeaders,
  body: Buffer.alloc(0),
  sourceIp: '10.0.0.9',
  localPort: 3000,
  protocol: 'HTTP/1.1',
  domainName: 'localhost',
  requestId: 'r',
  extendedRequestId: 'e',
  traceId: 'Root=1-0-0',
  timeEpochMs: 0,
});

describe('Function: eventHeaders', () => {
  it('keeps client casing, last value wins in headers, all values in multiValueHeaders, hop-by-hop dropped', () => {
    const h = eventHeaders(
      facts([
        'Accept',
        'a',
        'X-Dup',
        '1',
        'X-Dup',
        '2',
        'Connection',
        'keep-alive',
        'X-Forwarded-For',
        '1.1.1.1',
      ]),
    );
    expect(h.headers).toMatchObject({
      Accept: 'a',
      'X-Dup': '2',
      'X-Forwarded-For': '1.1.1.1, 10.0.0.9',
      'X-Forwarded-Port': '3000',
    });
    expect(h.multiValueHeaders['X-Dup']).toEqual(['1', '2']);
    expect(h.headers).not.toHaveProperty('Connection');
  });
});

describe('Function: queryParameters', () => {
  it('splits on & and ;, decodes values, keeps the last single value', () => {
    expect(queryParameters('a=1&a=2;b=%7Bx%7D&c')).toEqual({
      queryStringParameters: { a: '2', b: '{x}', c: '' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['{x}'], c: [''] },
    });
    expect(queryParameters('')).toEqual({
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
  });
});

describe('Function: clfTime', () => {
  it('formats the CLF request time', () => {
    expect(clfTime(Date.UTC(2020, 2, 4, 19, 15, 17))).toBe('04/Mar/2020:19:15:17 +0000');
  });
});
