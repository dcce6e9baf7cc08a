/**
 * Nothing a client sends (or a failing step behind the gateway) takes the gateway down: each request gets an
 * answer of its own, as API Gateway or a plain HTTP front would give it, and the next request is served.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeResult } from '../types';
import { echo, type Running, start, stopAll } from './test-harness';

afterEach(stopAll);

/** Writes raw bytes on a fresh connection; resolves with all the server sent until it closed (or `waitMs`). */
function raw(base: string, ...writes: (string | Buffer)[]): Promise<string> {
  const { port } = new URL(base);
  return new Promise((ok, fail) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      for (const w of writes) s.write(w);
    });
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => {
      got += c;
      // One complete response is enough: the connection may be kept alive.
      if (/\r\n\r\n/.test(got) && complete(got)) s.destroy();
    });
    s.on('close', () => ok(got));
    s.on('error', fail);
  });
}

function complete(got: string): boolean {
  const head = got.slice(0, got.indexOf('\r\n\r\n'));
  const body = got.slice(head.length + 4);
  if (/^HTTP\/1\.1 100 /.test(head)) return complete(body);
  const len = /\r\ncontent-length: (\d+)/i.exec(head);
  if (len) return Buffer.byteLength(body, 'latin1') >= Number(len[1]);
  return /\r\n0\r\n\r\n$/.test(body);
}

/** Polls a condition with a bound (no sleeps standing in for synchronisation). */
async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stillServes(g: Running): Promise<void> {
  expect((await fetch(`${g.base}/dev/items`)).status).toBe(200);
}

const INTERNAL = '{"message":"Internal server error"}';

describe('Gateway: a failing step answers its own request only', () => {
  it('an invoke that throws synchronously: 500 Internal server error, logged with its stack', async () => {
    let n = 0;
    const g = await start(undefined, undefined, {
      invoke: (fn, ev) => {
        if (n++ === 0) throw new Error('sync boom');
        return Promise.resolve(echo(fn, ev as Record<string, unknown>) as InvokeResult);
      },
    });
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(500);
    expect(await r.text()).toBe(INTERNAL);
    expect(r.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(g.logs.some((l) => l.includes('sync boom') && l.includes('    at '))).toBe(true);
    await stillServes(g);
  });

  it('an invoke that rejects: 500 Internal server error, logged with its stack', async () => {
    const g = await start(() => Promise.reject(new Error('async boom')));
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(500);
    expect(await r.text()).toBe(INTERNAL);
    expect(g.logs.some((l) => l.includes('async boom') && l.includes('    at '))).toBe(true);
  });

  it('a step that throws while mapping the result: 500 with API Gateway headers, the stack logged', async () => {
    const hostile = {
      get statusCode(): number {
        throw new Error('getter boom');
      },
    };
    const g = await start((fn, ev) =>
      ev['path'] === '/items/x' ? { ok: true, payload: hostile } : echo(fn, ev),
    );
    const r = await fetch(`${g.base}/dev/items/x`);
    expect(r.status).toBe(500);
    expect(await r.text()).toBe(INTERNAL);
    expect(r.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    const id = r.headers.get('x-amzn-requestid');
    const line = g.logs.find((l) => l.includes('getter boom'));
    expect(line).toMatch(
      new RegExp(`^\\[gateway\\] ${id} GET /dev/items/x 500: internal error: Error: getter boom\\n    at `),
    );
    await stillServes(g);
  });

  it('a result header that cannot go on the wire is a malformed proxy response (502), not a crash', async () => {
    for (const headers of [{ 'x-a': 'line\r\nbreak' }, { 'bad name': 'v' }, { 'x-b': 'euro €' }]) {
      const g = await start(() => ({ ok: true, payload: { statusCode: 200, headers, body: 'x' } }));
      const r = await fetch(`${g.base}/dev/items`);
      expect(r.status).toBe(502);
      expect(await r.text()).toBe(INTERNAL);
      expect(r.headers.get('x-a')).toBeNull();
    }
  });

  it('a 1xx statusCode is a malformed proxy response (502): it cannot end an HTTP exchange', async () => {
    for (const statusCode of [100, 101, 103, '199']) {
      const g = await start(() => ({ ok: true, payload: { statusCode, body: 'x' } }));
      const r = await fetch(`${g.base}/dev/items`);
      expect(r.status).toBe(502);
      expect(await r.text()).toBe(INTERNAL);
    }
  });
});

describe('Gateway: malformed and unusual HTTP', () => {
  it('answers a malformed request line or Content-Length with 400 and keeps serving', async () => {
    const g = await start();
    expect(await raw(g.base, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    const badLength = 'POST /dev/items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n';
    expect(await raw(g.base, badLength)).toMatch(/^HTTP\/1\.1 400 /);
    const both =
      'POST /dev/items HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(await raw(g.base, both)).toMatch(/^HTTP\/1\.1 400 /);
    await stillServes(g);
    expect(g.calls).toHaveLength(1);
    expect(
      g.logs.filter((l) => /^\[gateway\] - \S+ 400: unparseable HTTP request \(HPE_/.test(l)),
    ).toHaveLength(3);
  });

  it('answers 431 to headers over the HTTP front limit, and serves many small headers', async () => {
    const g = await start();
    const huge = `GET /dev/items HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await raw(g.base, huge)).toMatch(/^HTTP\/1\.1 431 /);
    const many = Array.from({ length: 500 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    expect(
      await raw(g.base, `GET /dev/items HTTP/1.1\r\nHost: x\r\n${many}Connection: close\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 200 /);
    await stillServes(g);
  });

  it('survives a client that closes mid-body and one that closes while the function runs', async () => {
    let release: (r: InvokeResult) => void = () => {};
    let n = 0;
    const g = await start((fn, ev) =>
      n++ === 0 ? new Promise<InvokeResult>((r) => (release = r)) : echo(fn, ev),
    );
    const partial = net.connect(Number(new URL(g.base).port), '127.0.0.1');
    partial.write('PUT /dev/items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    partial.destroy();
    const waiting = net.connect(Number(new URL(g.base).port), '127.0.0.1');
    waiting.write('GET /dev/items HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => g.calls.length === 1);
    waiting.destroy();
    release({ ok: true, payload: { statusCode: 200, body: 'late' } });
    await stillServes(g);
    expect(g.calls.map((c) => c.event['httpMethod'])).toEqual(['GET', 'GET']);
  });

  it('survives a client that closes in the middle of a large response', async () => {
    const g = await start((fn, ev) =>
      ev['path'] === '/items/big'
        ? { ok: true, payload: { statusCode: 200, body: 'x'.repeat(5_000_000) } }
        : echo(fn, ev),
    );
    const s = net.connect(Number(new URL(g.base).port), '127.0.0.1');
    s.write('GET /dev/items/big HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((ok) => s.once('data', () => ok()));
    s.destroy();
    await stillServes(g);
  });

  it('passes a body sent with GET to the function', async () => {
    const g = await start();
    const r = await raw(
      g.base,
      'GET /dev/items HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nping',
    );
    expect(r).toMatch(/^HTTP\/1\.1 200 /);
    expect(g.calls.at(-1)!.event['body']).toBe('ping');
  });

  it('serves HTTP/1.0, chunked bodies and Expect: 100-continue', async () => {
    const g = await start();
    const old = await raw(g.base, 'GET /dev/items HTTP/1.0\r\n\r\n');
    expect(old).toMatch(/^HTTP\/1\.1 200 /);
    expect(g.calls.at(-1)!.event['requestContext']).toMatchObject({ protocol: 'HTTP/1.0' });
    const chunked = await raw(
      g.base,
      'POST /dev/items/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 200 /);
    expect(g.calls.at(-1)!.event['body']).toBe('abcde');
    const expect100 = await raw(
      g.base,
      'POST /dev/items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      'hi',
    );
    expect(expect100).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(g.calls.at(-1)!.event['body']).toBe('hi');
    expect(g.calls.at(-1)!.event['headers']).not.toHaveProperty('Expect');
  });

  it('answers 403 for undecodable or dot-dot paths and keeps raw an undecodable query', async () => {
    const g = await start();
    for (const path of ['/dev/items/%E0%A4%A', '/dev/items/../keyed', `/dev/${'a/'.repeat(3000)}`]) {
      expect(await raw(g.base, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(
        /^HTTP\/1\.1 403 /,
      );
    }
    const q = await raw(
      g.base,
      'GET /dev/items?a=%E0%A4%A&b=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(q).toMatch(/^HTTP\/1\.1 200 /);
    expect(g.calls.at(-1)!.event['queryStringParameters']).toEqual({ a: '%E0%A4%A', b: '%ZZ' });
  });
});

describe("Gateway: Lambda's 6 MB invocation limit", () => {
  it('answers 413 Request Too Long, without invoking, when the event would be over 6 MB', async () => {
    const g = await start();
    const r = await fetch(`${g.base}/dev/items/1`, {
      method: 'PUT',
      body: Buffer.alloc(7 * 1024 * 1024, 97),
    });
    expect(r.status).toBe(413);
    expect(await r.text()).toBe('{"message": "Request Too Long"}');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(g.calls).toHaveLength(0);
  });

  it('counts the event as JSON: a body under 6 MB whose escaping or base64 takes it over is refused', async () => {
    const g = await start();
    const escaped = await fetch(`${g.base}/dev/items/1`, {
      method: 'PUT',
      body: Buffer.alloc(3 * 1024 * 1024, 1),
    });
    expect(escaped.status).toBe(413);
    const png = await fetch(`${g.base}/dev/items/1`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: Buffer.alloc(5 * 1024 * 1024, 7),
    });
    expect(png.status).toBe(413);
    expect(g.calls).toHaveLength(0);
    const near = await fetch(`${g.base}/dev/items/1`, { method: 'PUT', body: Buffer.alloc(6_200_000, 97) });
    expect(near.status).toBe(200);
    expect(g.calls).toHaveLength(1);
  });

  it('answers 502 when the function result is over 6 MB (the runtime reports Function.ResponseSizeTooLarge)', async () => {
    const g = await start(() => ({
      ok: false,
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291456 bytes).',
    }));
    const r = await fetch(`${g.base}/dev/items`);
    expect(r.status).toBe(502);
    expect(await r.text()).toBe(INTERNAL);
    expect(g.logs.some((l) => l.includes('Function.ResponseSizeTooLarge'))).toBe(true);
  });
});
