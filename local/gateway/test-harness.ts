/**
 * The gateway tests' fixture (a template shaped like CDK's output) and harness (a gateway on a real HTTP server
 * with a scripted `invoke`), shared by the gateway's test files.
 * @module
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CfnResource, CfnTemplate, InvokeResult } from '../types';
import { clientErrorListener } from './client-error';
import { createGateway, type Gateway, type GatewayOptions } from './gateway';

// ---- fixture: a template shaped like CDK's output -------------------------------------------------------------

export const API = 'Api';
export const root = { 'Fn::GetAtt': [API, 'RootResourceId'] };
export const lambdaUri = (fn: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:eu-west-1:lambda:path/2015-03-31/functions/',
      { 'Fn::GetAtt': [fn, 'Arn'] },
      '/invocations',
    ],
  ],
});
export const resource = (parent: unknown, part: string): CfnResource => ({
  Type: 'AWS::ApiGateway::Resource',
  Properties: { ParentId: parent, PathPart: part, RestApiId: { Ref: API } },
});
export const method = (
  res: unknown,
  verb: string,
  extra: Record<string, unknown> = {},
  fn = 'AppFn',
): CfnResource => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: {
    HttpMethod: verb,
    ResourceId: res,
    RestApiId: { Ref: API },
    AuthorizationType: 'NONE',
    Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri(fn) },
    ...extra,
  },
});
export const custom = (authorizer: string) => ({
  AuthorizationType: 'CUSTOM',
  AuthorizerId: { Ref: authorizer },
});
export const corsTemplate = [
  '#set($origin = $input.params().header.get("Origin"))',
  '#if($origin == "")',
  '  #set($origin = $input.params().header.get("origin"))',
  '#end',
  '#if($origin == "https://b.example" || $origin == "https://c.example")',
  '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
  '#end',
].join('\n');

export function fixture(extra: Record<string, CfnResource> = {}): CfnTemplate {
  return {
    Resources: {
      AppFn: { Type: 'AWS::Lambda::Function', Properties: {} },
      AuthFn: { Type: 'AWS::Lambda::Function', Properties: {} },
      [API]: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: { Name: 'api', BinaryMediaTypes: ['image/png'] },
      },
      Deployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: API } } },
      Stage: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: {
          RestApiId: { Ref: API },
          DeploymentId: { Ref: 'Deployment' },
          StageName: 'dev',
          Variables: { env: 'test' },
          MethodSettings: [
            { ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 1000 },
            {
              ResourcePath: '/~1limited',
              HttpMethod: 'GET',
              ThrottlingRateLimit: 1,
              ThrottlingBurstLimit: 2,
            },
          ],
        },
      },
      Items: resource(root, 'items'),
      ItemsGet: method({ Ref: 'Items' }, 'GET'),
      ItemsOptions: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          HttpMethod: 'OPTIONS',
          ResourceId: { Ref: 'Items' },
          RestApiId: { Ref: API },
          AuthorizationType: 'NONE',
          ApiKeyRequired: false,
          Integration: {
            Type: 'MOCK',
            RequestTemplates: { 'application/json': '{ statusCode: 200 }' },
            IntegrationResponses: [
              {
                StatusCode: '204',
                ResponseParameters: {
                  'method.response.header.Access-Control-Allow-Origin': "'https://a.example'",
                  'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
                  'method.response.header.Vary': "'Origin'",
                },
                ResponseTemplates: { 'application/json': corsTemplate },
              },
            ],
          },
        },
      },
      Item: resource({ Ref: 'Items' }, '{id}'),
      ItemAny: method({ Ref: 'Item' }, 'ANY'),
      Special: resource({ Ref: 'Items' }, 'special'),
      SpecialGet: method({ Ref: 'Special' }, 'GET'),
      Files: resource(root, 'files'),
      FilesProxy: resource({ Ref: 'Files' }, '{path+}'),
      FilesGet: method({ Ref: 'FilesProxy' }, 'GET'),
      Slow: resource(root, 'slow'),
      SlowGet: method({ Ref: 'Slow' }, 'GET', {
        Integration: { Type: 'AWS_PROXY', Uri: lambdaUri('AppFn'), TimeoutInMillis: 50 },
      }),
      Limited: resource(root, 'limited'),
      LimitedGet: method({ Ref: 'Limited' }, 'GET'),
      Secure: resource(root, 'secure'),
      SecureGet: method({ Ref: 'Secure' }, 'GET', custom('ReqAuth')),
      SecurePost: method({ Ref: 'Secure' }, 'POST', custom('ReqAuth')),
      Token: resource(root, 'token'),
      TokenGet: method({ Ref: 'Token' }, 'GET', custom('TokAuth')),
      Keyed: resource(root, 'keyed'),
      KeyedGet: method({ Ref: 'Keyed' }, 'GET', { ApiKeyRequired: true }),
      ReqAuth: {
        Type: 'AWS::ApiGateway::Authorizer',
        Properties: {
          RestApiId: { Ref: API },
          Type: 'REQUEST',
          IdentitySource: 'method.request.header.Authorization',
          AuthorizerResultTtlInSeconds: 300,
          AuthorizerUri: lambdaUri('AuthFn'),
        },
      },
      TokAuth: {
        Type: 'AWS::ApiGateway::Authorizer',
        Properties: {
          RestApiId: { Ref: API },
          Type: 'TOKEN',
          IdentitySource: 'method.request.header.Authorization',
          IdentityValidationExpression: '^Bearer .+$',
          AuthorizerResultTtlInSeconds: 0,
          AuthorizerUri: lambdaUri('AuthFn'),
        },
      },
      KeyThrottled: {
        Type: 'AWS::ApiGateway::ApiKey',
        Properties: { Enabled: true, Value: 'throttled-key-0123456789' },
      },
      KeyQuota: {
        Type: 'AWS::ApiGateway::ApiKey',
        Properties: { Enabled: true, Value: 'quota-key-0123456789abc' },
      },
      KeyNoPlan: {
        Type: 'AWS::ApiGateway::ApiKey',
        Properties: { Enabled: true, Value: 'orphan-key-0123456789ab' },
      },
      KeyGenerated: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Enabled: true, Name: 'gen' } },
      PlanThrottle: {
        Type: 'AWS::ApiGateway::UsagePlan',
        Properties: {
          ApiStages: [{ ApiId: { Ref: API }, Stage: { Ref: 'Stage' } }],
          Throttle: { RateLimit: 1, BurstLimit: 2 },
        },
      },
      PlanQuota: {
        Type: 'AWS::ApiGateway::UsagePlan',
        Properties: {
          ApiStages: [{ ApiId: { Ref: API }, Stage: { Ref: 'Stage' } }],
          Quota: { Limit: 2, Period: 'DAY' },
        },
      },
      PlanKeyA: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: {
          KeyId: { Ref: 'KeyThrottled' },
          KeyType: 'API_KEY',
          UsagePlanId: { Ref: 'PlanThrottle' },
        },
      },
      PlanKeyB: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: { KeyId: { Ref: 'KeyQuota' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'PlanQuota' } },
      },
      PlanKeyC: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: { KeyId: { Ref: 'KeyGenerated' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'PlanQuota' } },
      },
      ...extra,
    },
  };
}

/** A resolver good enough for the fixture: `Ref`s of API Gateway resources give short ids. */
export function resolve(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && 'Ref' in v) {
    const ref = (v as { Ref: string }).Ref;
    if (ref === 'Stage') return 'dev';
    return ref === API ? 'abc123defg' : `${ref.toLowerCase()}`;
  }
  if (typeof v === 'object' && v !== null && 'Fn::GetAtt' in v) return 'rootid';
  return v;
}

// ---- harness ----------------------------------------------------------------------------------------------------

export type Handler = (fn: string, event: Record<string, unknown>) => Promise<InvokeResult> | InvokeResult;

export interface Running {
  readonly base: string;
  readonly gw: Gateway;
  readonly calls: { fn: string; event: Record<string, unknown> }[];
  readonly logs: string[];
  clock: number;
}

const open: { server: http.Server; gw: Gateway }[] = [];

/** Stops every gateway {@link start} opened (each test file calls it after each test). */
export async function stopAll(): Promise<void> {
  for (const o of open.splice(0)) {
    o.gw.close();
    o.server.closeAllConnections();
    await new Promise((r) => o.server.close(r));
  }
}

export const allow = (principalId = 'user-1', context: Record<string, unknown> = {}) => ({
  ok: true as const,
  payload: {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/dev/*',
        },
      ],
    },
    context,
  },
});

export const echo: Handler = (_fn, event) => ({
  ok: true,
  payload: { statusCode: 200, body: JSON.stringify(event) },
});

export async function start(
  handler: Handler = echo,
  template: CfnTemplate = fixture(),
  extra: Partial<GatewayOptions> = {},
): Promise<Running> {
  const calls: Running['calls'] = [];
  const logs: string[] = [];
  const running = { calls, logs, clock: Date.UTC(2030, 0, 15, 12) } as Running;
  const gw = createGateway({
    template,
    resolve,
    region: 'eu-west-1',
    accountId: '123456789012',
    log: (l) => logs.push(l),
    now: () => running.clock,
    invoke: async (fn, event) => {
      calls.push({ fn, event: event as Record<string, unknown> });
      return handler(fn, event as Record<string, unknown>);
    },
    ...extra,
  });
  const server = http.createServer(gw.handler);
  server.on(
    'clientError',
    clientErrorListener((l) => logs.push(l)),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ server, gw });
  const { port } = server.address() as AddressInfo;
  Object.assign(running, { base: `http://127.0.0.1:${port}`, gw });
  return running;
}

export const json = async (r: Response) => JSON.parse(await r.text()) as Record<string, unknown>;
