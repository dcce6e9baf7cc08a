/**
 * The two Lambda API operations a redrive needs, served by the twin on its own port so `npm run redrive`
 * reaches the twin's functions exactly as it reaches AWS Lambda:
 *
 * - `POST /2015-03-31/functions/{FunctionName}/invocations` (Invoke, `RequestResponse` only): 200 with the
 *   function's result as the body; a function error is still 200, with `X-Amz-Function-Error: Unhandled` and
 *   `{ errorType, errorMessage }`; an unknown function is 404 `ResourceNotFoundException`.
 * - `GET /2015-03-31/event-source-mappings/?FunctionName=&EventSourceArn=` (ListEventSourceMappings): the
 *   template's stream mappings of that function (`UUID` is the mapping's logical id).
 *
 * Not emulated: `Event` and `DryRun` invocation types, qualifiers, `LogType: Tail`, paging (`Marker`),
 * request signatures (the twin listens on the loopback only, like the rest of it).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { functionNameOf } from '../streams/mapping';
import type { StreamMappingSpec } from '../streams/types';
import type { FunctionSpec, Invoke } from '../types';

export interface LambdaApiOptions {
  /** The functions as they are now (hot reload replaces them). */
  readonly functions: () => readonly FunctionSpec[];
  readonly mappings: () => readonly StreamMappingSpec[];
  readonly invoke: Invoke;
}

const PREFIX = '/2015-03-31/';
const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const MAPPINGS = /^\/2015-03-31\/event-source-mappings\/?$/;
/** Lambda's synchronous payload limit. */
const MAX_PAYLOAD = 6 * 1024 * 1024;

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function error(res: ServerResponse, status: number, type: string, message: string) {
  reply(res, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

/** A request handler; returns false for requests that are not the Lambda API's. */
export function createLambdaApi(
  opts: LambdaApiOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const find = (nameOrArn: string) => {
    const name = functionNameOf(nameOrArn);
    return opts
      .functions()
      .find((f) => f.functionArn === nameOrArn || f.functionName === name || f.logicalId === name);
  };
  const invoke = (req: IncomingMessage, res: ServerResponse, nameOrArn: string) => {
    const fn = find(nameOrArn);
    if (!fn) return error(res, 404, 'ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type !== 'RequestResponse')
      return error(
        res,
        400,
        'InvalidParameterValueException',
        `the twin serves InvocationType RequestResponse only, not ${type}`,
      );
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_PAYLOAD) chunks.push(c);
    });
    req.on('end', async () => {
      if (size > MAX_PAYLOAD)
        return error(
          res,
          413,
          'RequestTooLargeException',
          `Request must be smaller than ${MAX_PAYLOAD} bytes`,
        );
      let event: unknown;
      try {
        event = size ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return error(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      }
      try {
        const r = await opts.invoke(fn.logicalId, event);
        if (r.ok) return reply(res, 200, r.payload ?? null, { 'x-amz-executed-version': '$LATEST' });
        reply(
          res,
          200,
          { errorType: r.errorType, errorMessage: r.errorMessage },
          {
            'x-amz-function-error': 'Unhandled',
            'x-amz-executed-version': '$LATEST',
          },
        );
      } catch (e) {
        error(res, 500, 'ServiceException', (e as Error).message);
      }
    });
  };
  const list = (res: ServerResponse, query: URLSearchParams) => {
    const fn = query.get('FunctionName');
    const source = query.get('EventSourceArn');
    const target = fn ? find(fn) : undefined;
    const EventSourceMappings = opts
      .mappings()
      .filter(
        (m) => (!fn || m.functionLogicalId === target?.logicalId) && (!source || m.eventSourceArn === source),
      )
      .map((m) => ({
        UUID: m.logicalId,
        EventSourceArn: m.eventSourceArn,
        FunctionArn: m.functionArn,
        BatchSize: m.batchSize,
        StartingPosition: m.startingPosition,
        State: m.enabled ? 'Enabled' : 'Disabled',
        FunctionResponseTypes: m.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
        ...(m.filtersDeclared
          ? { FilterCriteria: { Filters: m.filters.map((p) => ({ Pattern: JSON.stringify(p) })) } }
          : {}),
      }));
    reply(res, 200, { EventSourceMappings });
  };
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return false;
    const u = new URL(url, 'http://twin');
    const inv = INVOKE.exec(u.pathname);
    if (inv && req.method === 'POST') invoke(req, res, decodeURIComponent(inv[1]!));
    else if (MAPPINGS.test(u.pathname) && req.method === 'GET') list(res, u.searchParams);
    else
      error(
        res,
        404,
        'ResourceNotFoundException',
        `the twin's Lambda API does not serve ${req.method} ${u.pathname}`,
      );
    return true;
  };
}
