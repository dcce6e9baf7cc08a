/** Test support: API Gateway REST proxy events (payload v1), as the gateway would send them. */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export interface EventInit {
  method: string;
  path: string;
  tenant?: string | undefined;
  principal?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
}

export function proxyEvent(init: EventInit): APIGatewayProxyEvent {
  const [, resource, id] = init.path.split('?')[0]!.split('/');
  const headers: Record<string, string> = {
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...init.headers,
  };
  const mv: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(init.query ?? {})) mv[k] = Array.isArray(v) ? v : [v];
  const single = Object.fromEntries(Object.entries(mv).map(([k, v]) => [k, v.at(-1)!]));
  return {
    resource: id ? `/${resource}/{id}` : `/${resource}`,
    path: init.path,
    httpMethod: init.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: Object.keys(single).length ? single : null,
    multiValueQueryStringParameters: Object.keys(mv).length ? mv : null,
    pathParameters: id ? { id } : null,
    stageVariables: null,
    body:
      init.body === undefined ? null : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      authorizer:
        init.tenant === undefined
          ? {}
          : {
              tenant: init.tenant,
              principal: init.principal ?? 'user-1',
              principalId: init.principal ?? 'user-1',
            },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

export const context = { awsRequestId: 'test', functionName: 'test' } as Context;
