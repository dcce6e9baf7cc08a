/**
 * The system as a user meets it: `startTwin` synthesizes the CDK app and serves it over real HTTP, API
 * Gateway and Lambda emulated, DynamoDB Local underneath. Every request goes through the API key check,
 * the JWT authorizer (a Lambda), the proxy integration and a handler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../local/twin';
import { CORS_EXPOSE_HEADERS } from '../src/core/http';

let twin: Twin;
let dataDir: string;
let auth: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-api-'));
  // The contention tests send 100 requests at once: above the usage plan's default rate, which the gateway's
  // own tests cover. Throttling here would answer 429 before the functions under test are reached.
  twin = await startTwin({ port: 0, dataDir, context: { throttleRate: 10_000, throttleBurst: 10_000 } });
  auth = {
    'x-api-key': twin.apiKey,
    authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
  };
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
) {
  const res = await fetch(`${twin.url}${path}`, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in the tests.
  return { status: res.status, headers: res.headers, body: body as Record<string, any> };
}

describe('the API through the offline twin', () => {
  it('serves the whole item life cycle', async () => {
    const created = await call('POST', '/items', { headers: auth, body: { name: 'pen', price: 2 } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Built from the path as sent, stage included: resolved against the request URL, it is the item.
    expect(created.headers.get('location')).toBe(`/local/items/${id}`);
    const located = await fetch(new URL(created.headers.get('location')!, `${twin.url}/items`), {
      headers: auth,
    });
    expect(located.status).toBe(200);
    expect(((await located.json()) as { id: string }).id).toBe(id);
    expect(created.headers.get('etag')).toBe('"1"');
    const got = await call('GET', `/items/${id}`, { headers: auth });
    expect(got.body).toEqual(created.body);
    const patched = await call('PATCH', `/items/${id}`, {
      headers: { ...auth, 'content-type': 'application/merge-patch+json', 'if-match': '"1"' },
      body: { price: 3 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    expect(
      (
        await call('PUT', `/items/${id}`, {
          headers: { ...auth, 'if-match': '"1"' },
          body: { name: 'x', price: 1 },
        })
      ).status,
    ).toBe(412);
    expect((await call('DELETE', `/items/${id}`, { headers: auth })).status).toBe(204);
    expect((await call('GET', `/items/${id}`, { headers: auth })).status).toBe(404);
  });

  it('gives every client mistake a problem+json that names the field', async () => {
    const r = await call('POST', '/notes', { headers: auth, body: { title: '', pinned: 'yes' } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.errors).toEqual([
      { pointer: '/title', message: 'must not be empty' },
      { pointer: '/pinned', message: 'must be a boolean' },
    ]);
    // A body on which zod itself throws (it compares the object's `length`): still the client's mistake, on
    // create and on a patch of an existing item.
    const hostile = { name: { length: { toString: '' } } };
    const created = await call('POST', '/items', { headers: auth, body: { ...hostile, price: 1 } });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([{ pointer: '/name', message: 'must be a string' }]);
    const item = await call('POST', '/items', { headers: auth, body: { name: 'pen', price: 1 } });
    const patched = await call('PATCH', `/items/${item.body.id}`, {
      headers: { ...auth, 'content-type': 'application/merge-patch+json' },
      body: hostile,
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors).toEqual([{ pointer: '/name', message: 'must be a string' }]);
  });

  it('rejects numbers DynamoDB cannot store with a 400 naming the field, on create, replace and patch', async () => {
    const range = 'is a number DynamoDB cannot store: it must be 0 or of magnitude 1e-130 to below 1e126';
    const item = await call('POST', '/items', { headers: auth, body: { name: 'pen', price: 1 } });
    for (const price of ['1e126', '1e-131', '5e-324']) {
      const raw = `{"name":"x","price":${price}}`;
      const created = await call('POST', '/items', { headers: auth, body: raw });
      const replaced = await call('PUT', `/items/${item.body.id}`, { headers: auth, body: raw });
      const patched = await call('PATCH', `/items/${item.body.id}`, {
        headers: auth,
        body: `{"price":${price}}`,
      });
      for (const r of [created, replaced, patched]) {
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toBe('application/problem+json');
        expect(r.body.errors).toEqual([{ pointer: '/price', message: range }]);
      }
    }
    expect((await call('GET', `/items/${item.body.id}`, { headers: auth })).body.version).toBe(1);
  });

  it('refuses to create an item whose TTL has already passed, whose Location would lead nowhere', async () => {
    const past = await call('POST', '/notes', {
      headers: auth,
      body: { title: 'memo', expiresAt: '2000-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([
      { pointer: '/expiresAt', message: 'is in the past: the item would expire as it is created' },
    ]);
    const future = await call('POST', '/notes', {
      headers: auth,
      body: { title: 'memo', expiresAt: '2999-01-01T00:00:00Z' },
    });
    expect(future.status).toBe(201);
    const fetched = await fetch(new URL(future.headers.get('location')!, `${twin.url}/notes`), {
      headers: auth,
    });
    expect(fetched.status).toBe(200);
  });

  it('rejects a filter value an enum field can never hold, naming the parameter and the values', async () => {
    const r = await call('GET', '/items?status=bogus', { headers: auth });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.errors).toEqual([
      { pointer: '/query/status', message: 'must be one of "draft", "active", "archived"' },
    ]);
    expect((await call('GET', '/items?status=active', { headers: auth })).status).toBe(200);
  });

  it('evaluates If-Match and If-None-Match lists as RFC 9110 does', async () => {
    const { body } = await call('POST', '/items', { headers: auth, body: { name: 'pen', price: 1 } });
    const at = `/items/${body.id}`;
    const put = (headers: Record<string, string>) =>
      call('PUT', at, { headers: { ...auth, ...headers }, body: { name: 'pen', price: 2 } });
    // Any tag of the list matches (strong comparison): version 1 is in "7", "1".
    const listed = await put({ 'if-match': '"7", "1"' });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('etag')).toBe('"2"');
    expect((await put({ 'if-match': 'W/"2"' })).status).toBe(412);
    expect((await put({ 'if-match': '"1", "3"' })).status).toBe(412);
    const patched = await call('PATCH', at, {
      headers: { ...auth, 'if-match': '"9", "2"' },
      body: { price: 3 },
    });
    expect(patched.headers.get('etag')).toBe('"3"');
    // If-None-Match: weak comparison, and * matches any item that exists.
    for (const inm of ['"1", W/"3"', '*', 'W/"3"'])
      expect((await call('GET', at, { headers: { ...auth, 'if-none-match': inm } })).status).toBe(304);
    expect((await call('GET', at, { headers: { ...auth, 'if-none-match': '"1", "2"' } })).status).toBe(200);
    expect((await call('GET', at, { headers: { ...auth, 'if-match': '"1"' } })).status).toBe(412);
    // On a write, an If-None-Match that matches the current item is a 412: PUT never creates.
    expect((await put({ 'if-none-match': '*' })).status).toBe(412);
    // Outside the grammar: a 400 naming the header, and nothing written.
    const bad = await put({ 'if-match': '3' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body.errors[0].pointer).toBe('/headers/if-match');
    expect((await call('DELETE', at, { headers: { ...auth, 'if-match': '"1", "2"' } })).status).toBe(412);
    // DELETE judges If-None-Match on the current item too (it reads it: its role must allow GetItem).
    expect((await call('DELETE', at, { headers: { ...auth, 'if-none-match': 'W/"3", "1"' } })).status).toBe(
      412,
    );
    expect((await call('DELETE', at, { headers: { ...auth, 'if-none-match': '"1"' } })).status).toBe(204);
    expect((await call('DELETE', at, { headers: { ...auth, 'if-match': '*' } })).status).toBe(404);
  });

  describe('under contention for one item, without If-Match', () => {
    type Reply = Awaited<ReturnType<typeof call>>;
    const newItem = async () =>
      (await call('POST', '/items', { headers: auth, body: { name: 'hot', price: 0 } })).body.id as string;

    /** Only 2xx, the expected 404s and the documented 503; every success its own version, none lost. */
    async function expectNoLostWrite(id: string, replies: readonly Reply[], allowed: readonly number[]) {
      expect(replies.map((r) => r.status).filter((s) => !allowed.includes(s) && s !== 503)).toEqual([]);
      for (const r of replies.filter((r) => r.status === 503)) {
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.body.type).toMatch(/contended$/);
      }
      const ok = replies.filter((r) => r.status === 200);
      const versions = ok.map((r) => r.body.version as number).sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i + 2));
      const now = await call('GET', `/items/${id}`, { headers: auth });
      if (now.status === 404) return;
      expect(now.body.version).toBe(1 + ok.length);
      expect(now.body).toEqual(ok.find((r) => r.body.version === now.body.version)?.body);
    }

    it('100 concurrent PATCHes each land on their own version', async () => {
      const id = await newItem();
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call('PATCH', `/items/${id}`, { headers: auth, body: { description: `p${i}` } }),
        ),
      );
      for (const r of replies.filter((r) => r.status === 200)) expect(r.body.description).toMatch(/^p\d+$/);
      await expectNoLostWrite(id, replies, [200]);
    });

    it('30 PATCHes while other clients keep PUTting it', async () => {
      const id = await newItem();
      const replies = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          i % 2
            ? call('PATCH', `/items/${id}`, { headers: auth, body: { description: `p${i}` } })
            : call('PUT', `/items/${id}`, { headers: auth, body: { name: `u${i}`, price: i } }),
        ),
      );
      await expectNoLostWrite(id, replies, [200]);
    });

    it('PATCHes and PUTs racing a DELETE: each either lands or finds the item gone', async () => {
      const id = await newItem();
      const replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i === 10
            ? call('DELETE', `/items/${id}`, { headers: auth })
            : i % 2
              ? call('PATCH', `/items/${id}`, { headers: auth, body: { description: `p${i}` } })
              : call('PUT', `/items/${id}`, { headers: auth, body: { name: `u${i}`, price: i } }),
        ),
      );
      expect([204, 503]).toContain(replies[10]!.status);
      await expectNoLostWrite(id, replies, [200, 204, 404]);
    });
  });

  it('cuts a list page before its response would pass the Lambda 6 MB limit, and continues after it', async () => {
    const headers = {
      'x-api-key': twin.apiKey,
      authorization: `Bearer ${await twin.token({ sub: 'bulky', tenant: 'bulky' })}`,
    };
    // 10,000 control characters: 10 KB stored, 60 KB in the JSON body, 70 KB in the Lambda result.
    const body = '\u0001'.repeat(10_000);
    const created: string[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call('POST', '/notes', { headers, body: { title: `n${batch * 10 + i}`, body } }),
        ),
      );
      for (const r of replies) {
        expect(r.status).toBe(201);
        created.push(r.body.id);
      }
    }
    const first = await call('GET', '/notes?limit=90', { headers });
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeLessThan(90);
    expect(first.body.items.every((n: { body: string }) => n.body === body)).toBe(true);
    const seen = first.body.items.map((n: { id: string }) => n.id);
    let cursor: string | null = first.body.nextCursor;
    for (let pages = 0; cursor && pages < 10; pages++) {
      const next = await call('GET', `/notes?limit=90&cursor=${encodeURIComponent(cursor)}`, { headers });
      expect(next.status).toBe(200);
      seen.push(...next.body.items.map((n: { id: string }) => n.id));
      cursor = next.body.nextCursor;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual(created.sort());
  });

  it('cuts a history page the same way: 50 changes of a 10,000-character field', async () => {
    const headers = {
      'x-api-key': twin.apiKey,
      authorization: `Bearer ${await twin.token({ sub: 'bulky', tenant: 'bulky-history' })}`,
    };
    // Each change holds the old and the new value: 140 KB of Lambda result per entry.
    const bodies = ['\u0001'.repeat(10_000), '\u0002'.repeat(10_000)];
    const note = await call('POST', '/notes', { headers, body: { title: 'h', body: bodies[0] } });
    for (let i = 1; i <= 50; i++) {
      const r = await call('PATCH', `/notes/${note.body.id}`, { headers, body: { body: bodies[i % 2] } });
      expect(r.status).toBe(200);
    }
    const at = `/notes/${note.body.id}/history`;
    // The history follows the table's stream: poll, bounded, until the last change is in.
    const deadline = Date.now() + 20_000;
    while ((await call('GET', `${at}?limit=1`, { headers })).body.entries?.[0]?.versionAfter !== 51) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    const versions: number[] = [];
    let query = '?limit=100';
    for (let pages = 0; pages < 10; pages++) {
      const page = await call('GET', `${at}${query}`, { headers });
      expect(page.status).toBe(200);
      if (pages === 0) expect(page.body.entries.length).toBeLessThan(51);
      versions.push(...page.body.entries.map((e: { versionAfter: number }) => e.versionAfter));
      if (!page.body.nextCursor) break;
      query = `?limit=100&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    expect(versions).toEqual(Array.from({ length: 51 }, (_, i) => 51 - i));
  });

  it('requires an API key: 403 Forbidden without one', async () => {
    const r = await call('GET', '/items', { headers: { authorization: auth.authorization! } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ message: 'Forbidden' });
  });

  it('requires a valid token: 401 without one or with a forged one', async () => {
    expect((await call('GET', '/items', { headers: { 'x-api-key': twin.apiKey } })).status).toBe(401);
    const forged = `${auth.authorization!.slice(0, -4)}AAAA`;
    const r = await call('GET', '/items', { headers: { 'x-api-key': twin.apiKey, authorization: forged } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ message: 'Unauthorized' });
  });

  it('denies a valid token that names no tenant: 403', async () => {
    const token = await twin.issuer.sign({ sub: 'mallory', tenant: 'bad#tenant' });
    const r = await call('GET', '/items', {
      headers: { 'x-api-key': twin.apiKey, authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(403);
  });

  it('keeps tenants apart over HTTP, also under concurrent use', async () => {
    const tenants = ['t-one', 't-two', 't-three'];
    const headers = Object.fromEntries(
      await Promise.all(
        tenants.map(async (t) => [
          t,
          {
            'x-api-key': twin.apiKey,
            authorization: `Bearer ${await twin.token({ sub: `u-${t}`, tenant: t })}`,
          },
        ]),
      ),
    ) as Record<string, Record<string, string>>;
    const created = await Promise.all(
      tenants.flatMap((t) =>
        [1, 2, 3, 4].map((i) =>
          call('POST', '/items', { headers: headers[t], body: { name: `${t}-${i}`, price: i } }),
        ),
      ),
    );
    expect(created.every((r) => r.status === 201)).toBe(true);
    for (const t of tenants) {
      const list = await call('GET', '/items', { headers: headers[t] });
      expect(list.body.items.map((i: { name: string }) => i.name).sort()).toEqual(
        [1, 2, 3, 4].map((i) => `${t}-${i}`),
      );
    }
    const foreign = created.find((r) => r.body.name.startsWith('t-one'))!.body.id;
    expect((await call('GET', `/items/${foreign}`, { headers: headers['t-two'] })).status).toBe(404);
    expect((await call('DELETE', `/items/${foreign}`, { headers: headers['t-two'] })).status).toBe(404);
  });

  it('answers unknown routes itself: 403 Missing Authentication Token', async () => {
    const r = await call('GET', '/nope', { headers: auth });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ message: 'Missing Authentication Token' });
    expect((await call('POST', `/items/${'0'.repeat(8)}`, { headers: auth })).status).toBe(403);
  });

  it('answers CORS preflights, and lets a browser read gateway errors', async () => {
    const pre = await fetch(`${twin.url}/items`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Idempotency-Key/);
    // No token: the authorizer's identity source is missing, so the gateway answers 401 itself.
    const denied = await fetch(`${twin.url}/items`, { headers: { origin: 'http://localhost:3000' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBeTruthy();
    const ok = await fetch(`${twin.url}/items`, { headers: { ...auth, origin: 'http://localhost:3000' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    // One list of readable headers, the same from the preflight (the stack), the gateway's own errors (the
    // stack) and the functions.
    const exposed = (r: Response) =>
      r.headers
        .get('access-control-expose-headers')
        ?.split(',')
        .map((h) => h.trim());
    expect(exposed(ok)).toEqual([...CORS_EXPOSE_HEADERS]);
    expect(exposed(ok)).toContain('Idempotent-Replayed');
    expect(exposed(denied)).toEqual([...CORS_EXPOSE_HEADERS]);
    expect(exposed(pre)).toEqual([...CORS_EXPOSE_HEADERS]);
  });

  it('keeps the data across a restart on the same data directory', async () => {
    const created = await call('POST', '/items', { headers: auth, body: { name: 'durable', price: 9 } });
    const port = twin.port;
    const assembly = join(dataDir, 'cdk.out');
    await twin.stop();
    twin = await startTwin({ port, dataDir, assembly });
    const got = await call('GET', `/items/${created.body.id}`, { headers: auth });
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('durable');
  });
});
