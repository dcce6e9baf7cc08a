import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeResult } from '../types';
import { API, allow, echo, fixture, json, start, stopAll } from './test-harness';

afterEach(stopAll);

// ---- tests ------------------------------------------------------------------------------------------------------

describe('Gateway: routing', () => {
  it('serves the stage under /<stage> and lists its routes', async () => {
    const g = await start();
    expect(g.gw.stage).toBe('dev');
    expect(g.gw.basePath).toBe('/dev');
    expect(g.gw.routes).toContainEqual(
      expect.objectContaining({
        method: 'ANY',
        path: '/items/{id}',
        integration: 'AWS_PROXY',
        functionLogicalId: 'AppFn',
      }),
    );
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(200);
    expect((await json(r))['resource']).toBe('/items');
  });

  it('prefers a literal path part over a parameter, and fills path parameters', async () => {
    const g = await start();
    expect((await json(await fetch(`${g.base}/dev/items/special`)))['resource']).toBe('/items/special');
    const ev = await json(await fetch(`${g.base}/dev/items/a%20b`, { method: 'DELETE' }));
    expect(ev['resource']).toBe('/items/{id}');
    expect(ev['httpMethod']).toBe('DELETE');
    expect(ev['pathParameters']).toEqual({ id: 'a b' });
  });

  it('matches a greedy {path+} over several segments', async () => {
    const g = await start();
    const ev = await json(await fetch(`${g.base}/dev/files/a/b/c.txt`));
    expect(ev['resource']).toBe('/files/{path+}');
    expect(ev['pathParameters']).toEqual({ path: 'a/b/c.txt' });
  });

  it('answers 403 Missing Authentication Token for an unknown path or method', async () => {
    const g = await start();
    for (const [m, p] of [
      ['GET', '/dev/nothing'],
      ['POST', '/dev/items'],
      ['GET', '/dev/files'],
    ] as const) {
      const r = await fetch(`${g.base}${p}`, { method: m });
      expect(r.status).toBe(403);
      expect(r.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(await json(r)).toEqual({ message: 'Missing Authentication Token' });
    }
    expect(g.calls).toHaveLength(0);
  });

  it('answers 403 Forbidden for an unknown stage', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/prod/items`);
    expect(r.status).toBe(403);
    expect(await json(r)).toEqual({ message: 'Forbidden' });
  });

  it('writes one access-log line per request', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items?x=1`);
    const id = r.headers.get('x-amzn-requestid');
    expect(g.logs.filter((l) => l.includes(id!))).toHaveLength(1);
    expect(g.logs.find((l) => l.includes(id!))).toMatch(/"GET \/dev\/items\?x=1 HTTP\/1\.1" 200 \d+ \d+ms/);
  });
});

describe('Gateway: proxy event', () => {
  it('sends the documented proxy event (payload 1.0)', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items/7?a=1&a=2&b=x%20y`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'test-agent', 'X-Multi': 'one' },
      body: '{"n":1}',
    });
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-amz-apigw-id')).toBeTruthy();
    const ev = await json(r);
    expect(ev).toMatchObject({
      resource: '/items/{id}',
      path: '/items/7',
      httpMethod: 'POST',
      queryStringParameters: { a: '2', b: 'x y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'] },
      pathParameters: { id: '7' },
      stageVariables: { env: 'test' },
      body: '{"n":1}',
      isBase64Encoded: false,
    });
    const headers = ev['headers'] as Record<string, string>;
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect((ev['multiValueHeaders'] as Record<string, string[]>)['X-Multi']).toEqual(['one']);
    const rc = ev['requestContext'] as Record<string, unknown>;
    expect(rc).toMatchObject({
      accountId: '123456789012',
      apiId: 'abc123defg',
      resourceId: 'item',
      resourcePath: '/items/{id}',
      httpMethod: 'POST',
      path: '/dev/items/7',
      stage: 'dev',
      protocol: 'HTTP/1.1',
      requestId: r.headers.get('x-amzn-requestid'),
      extendedRequestId: r.headers.get('x-amz-apigw-id'),
      requestTimeEpoch: Date.UTC(2030, 0, 15, 12),
      requestTime: '15/Jan/2030:12:00:00 +0000',
      identity: expect.objectContaining({ sourceIp: '127.0.0.1', userAgent: 'test-agent' }),
    });
  });

  it('gives null query, path parameters and body when there are none', async () => {
    const g = await start();
    const ev = await json(await fetch(`${g.base}/dev/items`));
    expect(ev['queryStringParameters']).toBeNull();
    expect(ev['multiValueQueryStringParameters']).toBeNull();
    expect(ev['pathParameters']).toBeNull();
    expect(ev['body']).toBeNull();
  });

  it('base64-encodes a body whose Content-Type is a binary media type', async () => {
    const g = await start();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const ev = await json(
      await fetch(`${g.base}/dev/items/1`, {
        method: 'PUT',
        headers: { 'Content-Type': 'image/png' },
        body: bytes,
      }),
    );
    expect(ev['isBase64Encoded']).toBe(true);
    expect(ev['body']).toBe(bytes.toString('base64'));
  });

  it('answers 413 in plain text for a body over 10 MB, without invoking', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items/1`, {
      method: 'PUT',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
    });
    expect(r.status).toBe(413);
    expect(await r.text()).toBe('HTTP content length exceeded 10485760 bytes.');
    expect(g.calls).toHaveLength(0);
  });
});

describe('Gateway: result mapping', () => {
  it('merges headers and multiValueHeaders, multiValueHeaders winning', async () => {
    const g = await start(() => ({
      ok: true,
      payload: {
        statusCode: 201,
        headers: { 'X-One': 'a', 'X-Both': 'from-headers', 'Content-Type': 'text/plain' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Both': ['from-multi'] },
        body: 'created',
      },
    }));
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(201);
    expect(r.headers.get('x-one')).toBe('a');
    expect(r.headers.get('x-both')).toBe('from-multi');
    expect(r.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe('created');
  });

  it('defaults Content-Type to application/json', async () => {
    const g = await start(() => ({ ok: true, payload: { statusCode: 200, body: '{}' } }));
    expect((await fetch(`${g.base}/dev/items`)).headers.get('content-type')).toBe('application/json');
  });

  it('decodes a base64 body when the response type is binary, and passes it as text otherwise', async () => {
    const png = Buffer.from([137, 80, 78, 71, 0, 255]);
    const g = await start((_f, ev) => ({
      ok: true,
      payload: {
        statusCode: 200,
        headers: { 'Content-Type': (ev['queryStringParameters'] as { t: string }).t },
        body: png.toString('base64'),
        isBase64Encoded: true,
      },
    }));
    const bin = await fetch(`${g.base}/dev/items?t=image/png`);
    expect(Buffer.from(await bin.arrayBuffer())).toEqual(png);
    const text = await fetch(`${g.base}/dev/items?t=text/plain`);
    expect(await text.text()).toBe(png.toString('base64'));
  });

  it.each([
    ['no statusCode', { body: 'x' }],
    ['a non-string body', { statusCode: 200, body: { a: 1 } }],
    ['an unknown key', { statusCode: 200, body: 'x', message: 'hi' }],
    ['not an object', 'just a string'],
  ])('answers 502 for a malformed result (%s)', async (_name, payload) => {
    const g = await start(() => ({ ok: true, payload }));
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(502);
    expect(r.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await json(r)).toEqual({ message: 'Internal server error' });
    expect(g.logs.some((l) => l.includes('Malformed Lambda proxy response'))).toBe(true);
  });

  it('answers 502 when the function throws, crashes or hits its own timeout', async () => {
    for (const result of [
      { ok: false, errorType: 'Error', errorMessage: 'boom' },
      { ok: false, errorType: 'Runtime.ExitError', errorMessage: 'exited' },
      {
        ok: false,
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 3.00 seconds',
        timedOut: true,
      },
    ] as InvokeResult[]) {
      const g = await start(() => result);
      const r = await fetch(`${g.base}/dev/items`);
      expect(r.status).toBe(502);
      expect(await json(r)).toEqual({ message: 'Internal server error' });
    }
  });

  it('answers 504 when the integration timeout (TimeoutInMillis) passes first', async () => {
    let release: (r: InvokeResult) => void = () => {};
    const g = await start(() => new Promise<InvokeResult>((r) => (release = r)));
    const r = await fetch(`${g.base}/dev/slow`);
    expect(r.status).toBe(504);
    expect(await json(r)).toEqual({ message: 'Endpoint request timed out' });
    release({ ok: true, payload: { statusCode: 200 } });
  });
});

describe('Gateway: API keys and usage plans', () => {
  it('answers 403 Forbidden for a missing, unknown or plan-less key', async () => {
    const g = await start();
    for (const key of [undefined, 'nope-nope-nope-nope-nope', 'orphan-key-0123456789ab']) {
      const r = await fetch(`${g.base}/dev/keyed`, { headers: key ? { 'x-api-key': key } : {} });
      expect(r.status).toBe(403);
      expect(r.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(await json(r)).toEqual({ message: 'Forbidden' });
    }
    expect(g.calls).toHaveLength(0);
  });

  it('passes the key and its id in requestContext.identity', async () => {
    const g = await start();
    const ev = await json(
      await fetch(`${g.base}/dev/keyed`, { headers: { 'X-API-Key': 'quota-key-0123456789abc' } }),
    );
    expect((ev['requestContext'] as { identity: unknown }).identity).toMatchObject({
      apiKey: 'quota-key-0123456789abc',
      apiKeyId: 'keyquota',
    });
  });

  it('generates a value for a key without one, or takes it from apiKeyValues', async () => {
    const g = await start();
    expect(g.gw.apiKeys.find((k) => k.logicalId === 'KeyGenerated')?.value).toMatch(/^[A-Za-z0-9]{40}$/);
    const h = await start(echo, fixture(), { apiKeyValues: { KeyGenerated: 'stable-value-0123456789' } });
    expect(h.gw.apiKeys.find((k) => k.logicalId === 'KeyGenerated')?.value).toBe('stable-value-0123456789');
    expect(
      (await fetch(`${h.base}/dev/keyed`, { headers: { 'x-api-key': 'stable-value-0123456789' } })).status,
    ).toBe(200);
  });

  it("throttles a key by its plan's token bucket (rate 1/s, burst 2)", async () => {
    const g = await start();
    const call = () => fetch(`${g.base}/dev/keyed`, { headers: { 'x-api-key': 'throttled-key-0123456789' } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const r = await call();
    expect(r.status).toBe(429);
    expect(r.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await json(r)).toEqual({ message: 'Too Many Requests' });
    g.clock += 1000; // one token back
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
  });

  it('answers 429 Limit Exceeded once the quota of the period is used, until the next period', async () => {
    const g = await start();
    const call = () => fetch(`${g.base}/dev/keyed`, { headers: { 'x-api-key': 'quota-key-0123456789abc' } });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const r = await call();
    expect(r.status).toBe(429);
    expect(r.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(await json(r)).toEqual({ message: 'Limit Exceeded' });
    g.clock += 24 * 3600 * 1000;
    expect((await call()).status).toBe(200);
  });

  it('applies the stage MethodSettings throttle of a method to every client', async () => {
    const g = await start();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${g.base}/dev/limited`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await fetch(`${g.base}/dev/items`)).status).toBe(200);
  });
});

describe('Gateway: Lambda authorizers', () => {
  it('answers 401 without invoking when the identity source is missing', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/secure`);
    expect(r.status).toBe(401);
    expect(r.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await json(r)).toEqual({ message: 'Unauthorized' });
    expect(g.calls).toHaveLength(0);
  });

  it('sends the REQUEST authorizer event and passes principalId and stringified context', async () => {
    const g = await start((fn, ev) =>
      fn === 'AuthFn' ? allow('alice', { tenant: 't1', n: 5, b: true }) : echo(fn, ev),
    );
    const ev = await json(
      await fetch(`${g.base}/dev/secure?q=1`, { headers: { Authorization: 'Bearer x' } }),
    );
    const authEvent = g.calls[0]!.event;
    expect(g.calls[0]!.fn).toBe('AuthFn');
    expect(authEvent).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/GET/secure',
      resource: '/secure',
      path: '/secure',
      httpMethod: 'GET',
      queryStringParameters: { q: '1' },
      pathParameters: {},
      stageVariables: { env: 'test' },
    });
    expect((authEvent['headers'] as Record<string, string>)['Authorization']).toBe('Bearer x');
    expect(authEvent['body']).toBeUndefined();
    expect((ev['requestContext'] as { authorizer: unknown }).authorizer).toEqual({
      tenant: 't1',
      n: '5',
      b: 'true',
      principalId: 'alice',
      integrationLatency: 0,
    });
  });

  it('caches the policy per identity and evaluates it for each method (invoke count)', async () => {
    const g = await start((fn, ev) => (fn === 'AuthFn' ? allow() : echo(fn, ev)));
    const h = { Authorization: 'Bearer same' };
    expect((await fetch(`${g.base}/dev/secure`, { headers: h })).status).toBe(200);
    expect((await fetch(`${g.base}/dev/secure`, { method: 'POST', headers: h })).status).toBe(200);
    expect(g.calls.filter((c) => c.fn === 'AuthFn')).toHaveLength(1);
    expect((await fetch(`${g.base}/dev/secure`, { headers: { Authorization: 'Bearer other' } })).status).toBe(
      200,
    );
    expect(g.calls.filter((c) => c.fn === 'AuthFn')).toHaveLength(2);
    g.clock += 301_000; // past the TTL
    await fetch(`${g.base}/dev/secure`, { headers: h });
    expect(g.calls.filter((c) => c.fn === 'AuthFn')).toHaveLength(3);
  });

  it('denies a method the cached policy does not cover (403 AccessDenied)', async () => {
    const getOnly = {
      ok: true as const,
      payload: {
        principalId: 'u',
        policyDocument: {
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: 'Allow',
              Resource: 'arn:aws:execute-api:*:*:*/dev/GET/secure',
            },
          ],
        },
      },
    };
    const g = await start((fn, ev) => (fn === 'AuthFn' ? getOnly : echo(fn, ev)));
    const h = { Authorization: 'Bearer t' };
    expect((await fetch(`${g.base}/dev/secure`, { headers: h })).status).toBe(200);
    const r = await fetch(`${g.base}/dev/secure`, { method: 'POST', headers: h });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await json(r)).toEqual({ Message: 'User is not authorized to access this resource' });
    expect(g.calls.filter((c) => c.fn === 'AuthFn')).toHaveLength(1);
  });

  it('answers 403 with the explicit-deny message for a Deny statement', async () => {
    const deny = {
      ok: true as const,
      payload: {
        principalId: 'u',
        policyDocument: {
          Statement: [
            { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' },
            {
              Action: 'execute-api:*',
              Effect: 'Deny',
              Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/GET/*',
            },
          ],
        },
      },
    };
    const g = await start((fn, ev) => (fn === 'AuthFn' ? deny : echo(fn, ev)));
    const r = await fetch(`${g.base}/dev/secure`, { headers: { Authorization: 'x' } });
    expect(r.status).toBe(403);
    expect((await json(r))['Message']).toMatch(
      /^User is not authorized to access this resource with an explicit deny/,
    );
  });

  it('answers 401 when the authorizer fails with exactly "Unauthorized", 500 for other failures', async () => {
    const cases: [InvokeResult | { ok: true; payload: unknown }, number][] = [
      [{ ok: false, errorType: 'Error', errorMessage: 'Unauthorized' }, 401],
      [{ ok: false, errorType: 'Error', errorMessage: 'Unauthorized: bad token' }, 500],
      [{ ok: true, payload: { principalId: 'u' } }, 500],
      [{ ok: true, payload: { ...allow().payload, context: { nested: { a: 1 } } } }, 500],
    ];
    for (const [result, status] of cases) {
      const g = await start((fn, ev) => (fn === 'AuthFn' ? (result as InvokeResult) : echo(fn, ev)));
      const r = await fetch(`${g.base}/dev/secure`, { headers: { Authorization: 'x' } });
      expect(r.status).toBe(status);
      if (status === 500) {
        expect(r.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
        expect(await json(r)).toEqual({ message: null });
      }
    }
  });

  it('sends the TOKEN event only for a token matching IdentityValidationExpression', async () => {
    const g = await start((fn, ev) => (fn === 'AuthFn' ? allow() : echo(fn, ev)));
    expect((await fetch(`${g.base}/dev/token`, { headers: { Authorization: 'Basic abc' } })).status).toBe(
      401,
    );
    expect(g.calls).toHaveLength(0);
    expect((await fetch(`${g.base}/dev/token`, { headers: { Authorization: 'Bearer abc' } })).status).toBe(
      200,
    );
    expect(g.calls[0]!.event).toEqual({
      type: 'TOKEN',
      authorizationToken: 'Bearer abc',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/GET/token',
    });
    // TTL 0: no caching.
    await fetch(`${g.base}/dev/token`, { headers: { Authorization: 'Bearer abc' } });
    expect(g.calls.filter((c) => c.fn === 'AuthFn')).toHaveLength(2);
  });
});

describe('Gateway: CORS preflight (MOCK) and gateway responses', () => {
  it("answers a preflight from the MOCK integration's static response parameters", async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://a.example' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(r.headers.get('access-control-allow-methods')).toBe('GET,OPTIONS');
    expect(r.headers.get('vary')).toBe('Origin');
    expect(g.calls).toHaveLength(0);
  });

  it('picks the request Origin with the VTL template CDK generates for several origins', async () => {
    const g = await start();
    const b = await fetch(`${g.base}/dev/items`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://c.example' },
    });
    expect(b.headers.get('access-control-allow-origin')).toBe('https://c.example');
    const other = await fetch(`${g.base}/dev/items`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });

  it('applies a specific GatewayResponse first, then DEFAULT_4XX/5XX', async () => {
    const g = await start(
      () => ({ ok: true, payload: 'bad' }),
      fixture({
        Missing: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: API },
            ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
            StatusCode: '404',
            ResponseParameters: { 'gatewayresponse.header.X-Hint': "'no such route'" },
            ResponseTemplates: {
              'application/json':
                '{"error":"$context.error.responseType","message":$context.error.messageString,"stage":"$context.stage"}',
            },
          },
        },
        Default4: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: API },
            ResponseType: 'DEFAULT_4XX',
            ResponseParameters: {
              'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
              'gatewayresponse.header.X-Echo': 'method.request.header.X-In',
            },
          },
        },
        Default5: {
          Type: 'AWS::ApiGateway::GatewayResponse',
          Properties: {
            RestApiId: { Ref: API },
            ResponseType: 'DEFAULT_5XX',
            ResponseParameters: {
              'gatewayresponse.header.Access-Control-Allow-Origin': "'https://a.example'",
            },
          },
        },
      }),
    );
    const missing = await fetch(`${g.base}/dev/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-hint')).toBe('no such route');
    expect(missing.headers.get('access-control-allow-origin')).toBeNull();
    expect(await json(missing)).toEqual({
      error: 'MISSING_AUTHENTICATION_TOKEN',
      message: 'Missing Authentication Token',
      stage: 'dev',
    });

    const unauth = await fetch(`${g.base}/dev/secure`, { headers: { 'X-In': 'echoed' } });
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('access-control-allow-origin')).toBe('*');
    expect(unauth.headers.get('x-echo')).toBe('echoed');
    expect(await json(unauth)).toEqual({ message: 'Unauthorized' });

    const bad = await fetch(`${g.base}/dev/items`);
    expect(bad.status).toBe(502);
    expect(bad.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });
});
