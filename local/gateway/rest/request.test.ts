import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clfTime,
  eventHeaders,
  proxyEvent,
  proxyEventBytes,
  queryParameters,
  type RequestFacts,
  type RouteFacts,
} from './request';

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

describe('proxyEventBytes', () => {
  const route = (binary: boolean): RouteFacts => ({
    accountId: '1',
    apiId: 'a',
    stage: 's',
    stageVariables: {},
    resourceId: 'r',
    resourcePath: '/{p+}',
    pathParameters: { p: 'x' },
    isBinary: () => binary,
  });
  const exact = (ev: unknown) => Buffer.byteLength(JSON.stringify(ev));

  it('never under-counts the event JSON, and is exact whenever it could reach the limit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 40 })), {
          maxLength: 6,
        }),
        fc.string({ maxLength: 60 }),
        fc.boolean(),
        fc.integer({ min: 1000, max: 40_000 }),
        (body, headers, query, binary, limit) => {
          const f = { ...facts(headers.flat()), body: Buffer.from(body), query, path: '/x' };
          const ev = proxyEvent(f, route(binary), eventHeaders(f), {});
          const n = proxyEventBytes(ev, f, limit);
          expect(n).toBeGreaterThanOrEqual(exact(ev));
          if (n >= limit) expect(n).toBe(exact(ev));
        },
      ),
    );
  });
});
