/**
 * Names a client (or a template) chooses become keys: query, header and path names, stage variables, authorizer
 * context keys. `Object.prototype`'s own names must be data like any other, and what the function receives must
 * be an ordinary JSON object with exactly the members sent.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { toJsonImage } from '../streams/record';
import type { CfnResource } from '../types';
import { eventHeaders, queryParameters, type RequestFacts } from './rest/request';
import { renderVtl } from './rest/vtl';
import { API, allow, echo, fixture, json, start, stopAll } from './test-harness';

afterEach(stopAll);

const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/** `{ [name]: value }` with `name` an own member even when it is `__proto__`. */
const own = (name: string, value: unknown): Record<string, unknown> =>
  JSON.parse(`{${JSON.stringify(name)}:${JSON.stringify(value)}}`) as Record<string, unknown>;

const facts = (rawHeaders: string[], query = ''): RequestFacts => ({
  httpMethod: 'GET',
  path: '/items',
  query,
  rawHeaders,
  body: Buffer.alloc(0),
  sourceIp: '10.0.0.1',
  localPort: 3000,
  protocol: 'HTTP/1.1',
  domainName: 'localhost',
  requestId: 'r',
  extendedRequestId: 'e',
  traceId: 'Root=1-0-0',
  timeEpochMs: 0,
});

/** A GET with exactly these header names (fetch's `Headers` drops one named `__proto__`). */
function get(url: string, headers: [string, string][] = []): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = http.request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    for (const [k, v] of headers) req.setHeader(k, v);
    req.end();
  });
}

describe('Event builders: prototype names are data', () => {
  it.each(NAMES)('query parameter %s, once and twice', (name) => {
    const q = queryParameters(`${name}=1&${name}=2&a=3`);
    expect(JSON.parse(JSON.stringify(q))).toEqual({
      queryStringParameters: { ...own(name, '2'), a: '3' },
      multiValueQueryStringParameters: { ...own(name, ['1', '2']), a: ['3'] },
    });
    expect(Object.keys(q.queryStringParameters!)).toEqual([name, 'a']);
  });

  it.each(NAMES)('header %s, once and twice', (name) => {
    const h = eventHeaders(facts([name, 'a', name, 'b']));
    expect(Object.hasOwn(h.headers, name)).toBe(true);
    expect(JSON.parse(JSON.stringify(h.multiValueHeaders))[name]).toEqual(['a', 'b']);
    expect(JSON.parse(JSON.stringify(h.headers))[name]).toBe('b');
  });

  it('a VTL template reads no inherited member', () => {
    const r = renderVtl(
      '#set($a = $input.params().header.get("toString"))#set($b = $input.params("constructor"))' +
        '[$a][$b][$!stageVariables.valueOf][$!context.hasOwnProperty]' +
        '#set($context.responseOverride.header.__proto__ = "x")',
      { headers: {}, query: {}, path: {}, stageVariables: {}, context: {} },
    );
    expect(r.output).toBe('[$a][][][]');
    expect(Object.keys(r.headerOverrides)).toEqual(['__proto__']);
  });

  it('a stream image keeps attributes named like Object.prototype members', () => {
    const image = toJsonImage(JSON.parse('{"__proto__":{"S":"p"},"toString":{"N":"1"}}'));
    expect(JSON.parse(JSON.stringify(image))).toEqual(
      JSON.parse('{"__proto__":{"S":"p"},"toString":{"N":"1"}}'),
    );
  });
});

describe('Gateway: prototype names over HTTP', () => {
  it.each(NAMES)(
    '%s as query name, header name and path segment reaches the function as data',
    async (name) => {
      const g = await start();
      const r = await get(`${g.base}/dev/items?${name}=1`, [[name, 'h']]);
      expect(r.status).toBe(200);
      const ev = JSON.parse(r.body) as Record<string, unknown>;
      expect(ev['queryStringParameters']).toEqual(own(name, '1'));
      expect(ev['multiValueQueryStringParameters']).toEqual(own(name, ['1']));
      expect(ev['headers']).toMatchObject(own(name, 'h'));
      expect(ev['multiValueHeaders']).toMatchObject(own(name, ['h']));
      const p = await json(await fetch(`${g.base}/dev/items/${name}?${name}`));
      expect(p['pathParameters']).toEqual({ id: name });
    },
  );

  it.each(NAMES)(
    '%s on an unknown path, a keyed method or an unknown stage, without key or token',
    async (name) => {
      const g = await start();
      for (const path of [
        `/dev/nope?${name}=1`,
        `/dev/keyed?${name}=1`,
        `/nostage?${name}=1`,
        `/dev/secure?${name}=1`,
      ]) {
        const r = await get(`${g.base}${path}`, [[name, 'x']]);
        expect([401, 403]).toContain(r.status);
      }
      expect((await fetch(`${g.base}/dev/items`)).status).toBe(200);
    },
  );

  it('stage variables and authorizer context keys named like Object.prototype members', async () => {
    const vars = Object.fromEntries(NAMES.map((n) => [n, `v-${n}`]));
    const stage: CfnResource = {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: { Ref: API },
        DeploymentId: { Ref: 'Deployment' },
        StageName: 'dev',
        Variables: JSON.parse(JSON.stringify(vars)),
      },
    };
    const denied: CfnResource = {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        RestApiId: { Ref: API },
        ResponseType: 'DEFAULT_4XX',
        ResponseTemplates: {
          'application/json': '{"v":"$stageVariables.hasOwnProperty","c":"$context.authorizer.constructor"}',
        },
      },
    };
    const context = JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, `c-${n}`]))));
    const g = await start(
      (fn, ev) => (fn === 'AuthFn' ? allow('u', context) : echo(fn, ev)),
      fixture({ Stage: stage, Denied: denied }),
    );
    const ev = await json(await fetch(`${g.base}/dev/secure`, { headers: { Authorization: 'Bearer t' } }));
    expect(ev['stageVariables']).toEqual(vars);
    const authorizer = (ev['requestContext'] as Record<string, unknown>)['authorizer'] as Record<
      string,
      unknown
    >;
    for (const n of NAMES) expect(authorizer[n]).toBe(`c-${n}`);
    expect(Object.hasOwn(authorizer, '__proto__')).toBe(true);
    const nope = await fetch(`${g.base}/dev/nope`);
    expect(await nope.text()).toBe('{"v":"v-hasOwnProperty","c":""}');
  });
});
