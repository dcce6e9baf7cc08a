import { describe, expect, it } from 'vitest';
import { type ErrorContext, renderGatewayError, substitute } from './gateway-responses';
import type { GatewayResponseDef } from './model';

const ctx: ErrorContext = {
  message: 'Unauthorized',
  responseType: 'UNAUTHORIZED',
  requestId: 'req-1',
  extendedRequestId: 'ext',
  apiId: 'api',
  stage: 'dev',
  httpMethod: 'GET',
  resourcePath: '/items',
  path: '/dev/items',
  sourceIp: '1.2.3.4',
  stageVariables: { v: 'x' },
  header: (n) => (n === 'X-In' ? 'in' : undefined),
  query: () => undefined,
  pathParam: () => undefined,
};

describe('Function: renderGatewayError', () => {
  it("renders API Gateway's default response with its error type", () => {
    expect(renderGatewayError('UNAUTHORIZED', ctx, new Map())).toEqual({
      status: 401,
      headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'UnauthorizedException' },
      body: '{"message":"Unauthorized"}',
    });
    expect(
      renderGatewayError('AUTHORIZER_CONFIGURATION_ERROR', { ...ctx, message: null }, new Map()).body,
    ).toBe('{"message":null}');
    expect(renderGatewayError('ACCESS_DENIED', { ...ctx, message: 'no' }, new Map()).body).toBe(
      '{"Message":"no"}',
    );
  });

  it('uses the specific type, else DEFAULT_4XX, whose status code applies to the whole class', () => {
    const custom = new Map<string, GatewayResponseDef>([
      ['DEFAULT_4XX', { statusCode: 400, headers: { 'X-Default': "'d'" } }],
      [
        'THROTTLED',
        {
          headers: { 'X-In': 'method.request.header.X-In' },
          template: '{"t":"$context.error.responseType"}',
        },
      ],
    ]);
    const throttled = renderGatewayError('THROTTLED', { ...ctx, responseType: 'THROTTLED' }, custom);
    expect(throttled).toMatchObject({ status: 400, body: '{"t":"THROTTLED"}', headers: { 'X-In': 'in' } });
    expect(throttled.headers).not.toHaveProperty('X-Default');
    expect(renderGatewayError('UNAUTHORIZED', ctx, custom)).toMatchObject({
      status: 400,
      headers: { 'X-Default': 'd' },
    });
    expect(renderGatewayError('BAD_GATEWAY', ctx, custom).status).toBe(502);
  });
});

describe('Function: substitute', () => {
  it('replaces $context and $stageVariables only', () => {
    expect(
      substitute(
        '{"m":$context.error.messageString,"r":"$' +
          '{context.requestId}","v":"$stageVariables.v","k":"$foo"}',
        ctx,
      ),
    ).toBe('{"m":"Unauthorized","r":"req-1","v":"x","k":"$foo"}');
  });
});
