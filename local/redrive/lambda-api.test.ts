/** The twin's Lambda API (Invoke, ListEventSourceMappings) over real HTTP, with a stand-in for the runtime. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamMappingSpec } from '../streams/types';
import type { FunctionSpec, InvokeResult } from '../types';
import { createLambdaApi } from './lambda-api';
import { apiPorts } from './sources';

const fn = {
  logicalId: 'Consumer',
  functionName: 'Stack-Consumer',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Consumer',
} as FunctionSpec;
const mapping = {
  logicalId: 'ConsumerMapping',
  functionLogicalId: 'Consumer',
  functionArn: fn.functionArn,
  eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/x',
  batchSize: 100,
  startingPosition: 'TRIM_HORIZON',
  enabled: true,
  reportBatchItemFailures: true,
  filters: [{ eventName: ['REMOVE'] }],
  filtersDeclared: true,
} as unknown as StreamMappingSpec;

let server: Server;
let base: string;
const seen: unknown[] = [];
beforeAll(async () => {
  const api = createLambdaApi({
    functions: () => [fn],
    mappings: () => [mapping],
    invoke: async (id, event): Promise<InvokeResult> => {
      seen.push([id, event]);
      return (event as { fail?: boolean }).fail
        ? { ok: false, errorType: 'Error', errorMessage: 'boom' }
        : { ok: true, payload: { batchItemFailures: [] } };
    },
  });
  server = createServer((req, res) => {
    if (!api(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const invoke = (name: string, body: string) =>
  fetch(`${base}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, { method: 'POST', body });

describe('the twin Lambda API', () => {
  it('invokes by ARN, name or logical id and answers the result as the body', async () => {
    for (const name of [fn.functionArn, fn.functionName, fn.logicalId]) {
      const res = await invoke(name, '{"Records":[]}');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-amz-function-error')).toBeNull();
      expect(await res.json()).toEqual({ batchItemFailures: [] });
    }
    expect(seen.at(-1)).toEqual(['Consumer', { Records: [] }]);
  });

  it('answers a function error as 200 with X-Amz-Function-Error, and an unknown function as 404', async () => {
    const res = await invoke(fn.logicalId, '{"fail":true}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toEqual({ errorType: 'Error', errorMessage: 'boom' });
    const missing = await invoke('toString', '{}');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    const bad = await invoke(fn.logicalId, '{');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });

  it('lists the mapping with its filters, batch size and response types; other paths stay the gateway’s', async () => {
    const q = new URLSearchParams({ FunctionName: fn.functionArn, EventSourceArn: mapping.eventSourceArn });
    const res = await fetch(`${base}/2015-03-31/event-source-mappings/?${q}`);
    expect(await res.json()).toEqual({
      EventSourceMappings: [
        {
          UUID: 'ConsumerMapping',
          EventSourceArn: mapping.eventSourceArn,
          FunctionArn: fn.functionArn,
          BatchSize: 100,
          StartingPosition: 'TRIM_HORIZON',
          State: 'Enabled',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          FilterCriteria: { Filters: [{ Pattern: '{"eventName":["REMOVE"]}' }] },
        },
      ],
    });
    const other = new URLSearchParams({ FunctionName: 'hasOwnProperty' });
    expect(await (await fetch(`${base}/2015-03-31/event-source-mappings/?${other}`)).json()).toEqual({
      EventSourceMappings: [],
    });
    expect((await fetch(`${base}/local/items`)).status).toBe(418);
  });

  it('lets the redrive find the function’s only mapping when the message names the stream by another ARN', async () => {
    const ports = apiPorts({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      lambdaEndpoint: base,
    });
    const m = await ports.mapping(
      fn.functionArn,
      'arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/engine',
    );
    expect(m).toEqual({
      filters: [{ eventName: ['REMOVE'] }],
      filtersDeclared: true,
      batchSize: 100,
      reportBatchItemFailures: true,
    });
  });
});
