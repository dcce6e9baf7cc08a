/**
 * The invariants judged on hand-made answers: each check must catch what it is for, and let a correct answer
 * pass, or the fuzz suite's silence would mean nothing.
 */
import { describe, expect, it } from 'vitest';
import { checkResponse } from './invariants';
import type { RawResponse } from './raw-http';
import type { FuzzCase } from './requests';

const A_ID = '01a21315-d175-7000-a0b5-75a9d3d19acc';
const secrets = { values: ['zqmarkabc', A_ID] };

function answer(status: number, body: unknown, headers: Record<string, string> = {}): RawResponse {
  const type =
    status >= 400 && !('message' in (body as object)) ? 'application/problem+json' : 'application/json';
  const all = { 'x-amzn-requestid': 'r', 'content-type': type, ...headers };
  return {
    status,
    headers: new Map(Object.entries(all).map(([k, v]) => [k, [v]])),
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

const get = (target: string, headers: [string, string][] = []): FuzzCase => ({
  method: 'GET',
  target,
  auth: 'b',
  headers,
});
const problem = (status: number, extra: object = {}) => ({
  type: 'https://x/problems/p',
  title: 'T',
  status,
  detail: 'cursor is not valid',
  ...extra,
});
const kinds = (c: FuzzCase, r: RawResponse) => checkResponse(c, 100, r, secrets).map((v) => v.kind);

describe('the fuzz invariants', () => {
  it("flag tenant A's id in B's answer, unless B sent it", () => {
    expect(kinds(get('/items'), answer(200, { items: [{ id: A_ID }] }))).toEqual([
      "tenant A's data in B's answer",
    ]);
    expect(kinds(get(`/items/${A_ID.toUpperCase()}`), answer(404, problem(404, { detail: A_ID })))).toEqual(
      [],
    );
  });

  it('flag a 500 and a 502, not a 503 with Retry-After', () => {
    expect(kinds(get('/items'), answer(500, problem(500)))).toEqual(['500 problem']);
    expect(kinds(get('/items'), answer(502, { message: 'Internal server error' }))).toEqual(['502 gateway']);
    expect(kinds(get('/items'), answer(503, problem(503), { 'retry-after': '1' }))).toEqual([]);
  });

  it('hold problems to RFC 9457 and a 400 to naming what is wrong', () => {
    expect(kinds(get('/items'), answer(400, problem(404)))).toEqual([
      'problem status differs from HTTP status',
    ]);
    expect(kinds(get('/items'), answer(400, problem(400, { detail: 'bad' })))).toEqual([
      '400 naming nothing',
    ]);
    const pointers = problem(400, { detail: 'bad', errors: [{ pointer: '/query/x', message: 'no' }] });
    expect(kinds(get('/items?x=1'), answer(400, pointers))).toEqual([]);
    expect(kinds(get('/items'), answer(404, { title: 'T', status: 404 }))).toEqual([
      'problem without type, detail',
    ]);
  });

  it("hold gateway errors to API Gateway's shape", () => {
    expect(kinds(get('/x'), answer(403, { message: 'Forbidden' }, { 'x-amzn-errortype': 'E' }))).toEqual([]);
    expect(kinds(get('/x'), answer(403, { message: 'Forbidden' }))).toEqual([
      'gateway 403 without x-amzn-ErrorType',
    ]);
  });

  it('flag a well-formed If-Match list refused, and a 412 naming a listed tag', () => {
    const ifMatch = (v: string) => get('/items/x', [['If-Match', v]]);
    const refused = problem(400, { detail: 'If-Match must be "*" or a list of entity tags' });
    expect(kinds(ifMatch('"1",,"2"'), answer(400, refused))).toEqual([
      'well-formed if-match list refused with 400',
    ]);
    expect(kinds(ifMatch('"1'), answer(400, refused))).toEqual([]);
    const stale = problem(412, { detail: 'If-Match does not match the current ETag "2"' });
    expect(kinds(ifMatch('"1", "2"'), answer(412, stale))).toEqual([
      '412 although If-Match lists the current ETag',
    ]);
    expect(kinds(ifMatch('W/"2"'), answer(412, stale))).toEqual([]);
  });

  it("flag a 200 list for a filter value the field's schema refuses", () => {
    expect(kinds(get('/items?status=bogus'), answer(200, { items: [] }))).toEqual([
      'list filter status=<value its schema refuses> answered 200',
    ]);
    expect(kinds(get('/items?status=active'), answer(200, { items: [] }))).toEqual([]);
    expect(kinds(get('/notes?pinned=true'), answer(200, { items: [] }))).toEqual([]);
  });

  it("accept Node's own refusal only for a request Node cannot parse", () => {
    const nodeRefusal: RawResponse = { status: 400, headers: new Map(), body: Buffer.alloc(0) };
    expect(kinds({ ...get('/items'), method: 'get' }, nodeRefusal)).toEqual([]);
    expect(kinds(get('/items'), nodeRefusal)).toEqual(['400 from the HTTP server, not the gateway']);
  });
});
