import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: log lines are untyped JSON; tests read them by key.
type Line = Record<string, any>;

/** Captures what the module writes to stdout, one parsed JSON object per line. */
function captureStdout(): { lines: () => Line[] } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:crud-get',
  functionName: 'crud-get',
  memoryLimitInMB: '256',
} as Context;

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('Module: logger (Powertools Logger keys)', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.stubEnv('_X_AMZN_TRACE_ID', TRACE);
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'crud-api');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('writes the standard keys, the trace root and the Lambda context, cold start only on the first', async () => {
    const out = captureStdout();
    const { log, setLambdaContext } = await import('./logger');
    setLambdaContext(context);
    log('INFO', 'first', { extra: 1 });
    setLambdaContext({ ...context, awsRequestId: 'second-id' });
    log('WARN', 'second');
    const [a, b] = out.lines() as [Line, Line];
    expect(a).toMatchObject({
      level: 'INFO',
      message: 'first',
      service: 'crud-api',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      cold_start: true,
      function_arn: context.invokedFunctionArn,
      function_memory_size: 256,
      function_name: 'crud-get',
      function_request_id: context.awsRequestId,
      extra: 1,
    });
    expect(new Date(a.timestamp).toISOString()).toBe(a.timestamp);
    expect(b).toMatchObject({ level: 'WARN', cold_start: false, function_request_id: 'second-id' });
  });

  it('leaves xray_trace_id out when there is no trace header, and drops lines below the level', async () => {
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'WARN');
    const out = captureStdout();
    const { log } = await import('./logger');
    log('INFO', 'dropped');
    log('ERROR', 'kept', { error: new Error('boom', { cause: new TypeError('inner') }) });
    const lines = out.lines();
    expect(lines.map((l) => l.message)).toEqual(['kept']);
    expect('xray_trace_id' in lines[0]!).toBe(false);
    expect(lines[0]!.error).toMatchObject({ name: 'Error', message: 'boom', cause: { name: 'TypeError' } });
  });
});

describe('Module: metrics (embedded metric format)', () => {
  it('builds a valid EMF document: every directive member present at the root, as numbers or strings', async () => {
    const { emfLine } = await import('./metrics');
    const line = emfLine(
      'CrudApi/dev',
      { operation: 'get', resource: 'items', status: 503, durationMs: 12.5, consumedCapacity: 0.5 },
      1_700_000_000_000,
    );
    expect(line.endsWith('\n')).toBe(true);
    const doc = JSON.parse(line);
    expect(doc._aws.Timestamp).toBe(1_700_000_000_000);
    const [directive] = doc._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('CrudApi/dev');
    for (const set of directive.Dimensions) for (const d of set) expect(typeof doc[d]).toBe('string');
    for (const m of directive.Metrics) expect(typeof doc[m.Name], m.Name).toBe('number');
    expect(doc).toMatchObject({
      Operation: 'get',
      Resource: 'items',
      Latency: 12.5,
      ConsumedCapacity: 0.5,
      Faults: 1,
    });
  });
});

describe('Function: httpHandler (observability hook)', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CrudApi/test');
    vi.stubEnv('_X_AMZN_TRACE_ID', TRACE);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('writes one EMF line per invocation and a request line with the Lambda context', async () => {
    const out = captureStdout();
    const { httpHandler } = await import('./http-adapter');
    const deps = {
      repo: {},
      history: {},
      settings: () => ({}),
      capacity: { units: 0 },
      allowedOrigins: [],
    } as never;
    const handler = httpHandler(
      'get',
      async () => {
        (deps as { capacity: { units: number } }).capacity.units += 0.5;
        return { status: 200, headers: {}, body: { ok: true } };
      },
      deps,
      () => ({ name: 'items' }) as never,
    );
    const event = {
      resource: '/items/{id}',
      path: '/items/1',
      headers: {},
      requestContext: { requestId: 'gw-1', authorizer: { tenant: 'acme', principal: 'alice' } },
    } as unknown as APIGatewayProxyEvent;
    expect((await handler(event, context)).statusCode).toBe(200);
    await handler(event, context);
    const lines = out.lines();
    const emf = lines.filter((l) => l._aws);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({ Operation: 'get', Resource: 'items', ConsumedCapacity: 0.5, Faults: 0 });
    expect(emf[0]!._aws.CloudWatchMetrics[0].Namespace).toBe('CrudApi/test');
    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.map((l) => l.cold_start)).toEqual([true, false]);
    expect(requests[0]).toMatchObject({
      function_request_id: context.awsRequestId,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      requestId: 'gw-1',
    });
  });
});
