/**
 * The compiled shape of the template's `AWS::ApiGateway::*` resources: everything a request needs, computed once
 * at start-up so that serving a request never walks the template.
 * @module
 */

/** How a method's integration is carried out. */
export type Integration =
  | { readonly type: 'AWS_PROXY'; readonly functionLogicalId: string; readonly timeoutMs: number }
  | {
      readonly type: 'MOCK';
      /** The `application/json` request template (or the only one), if any. */
      readonly requestTemplate?: string;
      readonly responses: readonly IntegrationResponse[];
    }
  | { readonly type: 'UNSUPPORTED'; readonly reason: string };

/** One `IntegrationResponses` entry of a MOCK integration. */
export interface IntegrationResponse {
  readonly statusCode: number;
  /** `SelectionPattern` as a whole-string regex; absent = the default response. */
  readonly selectionPattern?: RegExp;
  /** `method.response.header.X` -> mapping expression (`'static'`, `method.request.header.Y`, ...). */
  readonly responseParameters: Readonly<Record<string, string>>;
  /** The `application/json` response template (or the only one), if any. */
  readonly responseTemplate?: string;
}

/** Where a Lambda authorizer reads the caller's identity. */
export type IdentitySource =
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'querystring'; readonly name: string }
  | { readonly kind: 'stageVariable'; readonly name: string }
  | { readonly kind: 'context'; readonly name: string };

/** An `AWS::ApiGateway::Authorizer` of type TOKEN or REQUEST. */
export interface Authorizer {
  readonly logicalId: string;
  readonly authorizerId: string;
  readonly type: 'TOKEN' | 'REQUEST';
  readonly functionLogicalId: string;
  readonly identitySources: readonly IdentitySource[];
  readonly validation?: RegExp;
  /** `AuthorizerResultTtlInSeconds`; 0 disables caching. */
  readonly ttlSeconds: number;
}

/** Authorization of a method. `AWS_IAM` and `COGNITO_USER_POOLS` are recognised but not emulated. */
export type Authorization =
  | { readonly type: 'NONE' }
  | { readonly type: 'CUSTOM'; readonly authorizer: Authorizer }
  | { readonly type: 'AWS_IAM' }
  | { readonly type: 'COGNITO_USER_POOLS' }
  | { readonly type: 'INVALID'; readonly reason: string };

/** An `AWS::ApiGateway::Method` on a resource. */
export interface Method {
  readonly logicalId: string;
  /** `GET`, ..., or `ANY`. */
  readonly httpMethod: string;
  readonly resource: ResourceRef;
  readonly authorization: Authorization;
  readonly apiKeyRequired: boolean;
  readonly integration: Integration;
}

/** A resource of the tree: its id and full path (`/items/{id}`). */
export interface ResourceRef {
  readonly logicalId: string;
  readonly resourceId: string;
  readonly path: string;
}

/** One node of the resource tree, keyed by path part. */
export interface RouteNode {
  readonly resource: ResourceRef;
  readonly literals: Map<string, RouteNode>;
  /** A `{name}` child. */
  param?: { readonly name: string; readonly node: RouteNode };
  /** A `{name+}` child. */
  greedy?: { readonly name: string; readonly node: RouteNode };
  readonly methods: Map<string, Method>;
}

/** A throttle target: steady-state rate (requests per second) and bucket size. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** An `AWS::ApiGateway::Stage` (or a Deployment's `StageName`). */
export interface Stage {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  /** `MethodSettings` throttles: key `resourcePath METHOD`, with `/*` and `*` wildcards kept as given. */
  readonly methodThrottles: readonly {
    readonly resourcePath: string;
    readonly httpMethod: string;
    readonly throttle: Throttle;
  }[];
}

/** An `AWS::ApiGateway::GatewayResponse`. */
export interface GatewayResponseDef {
  readonly statusCode?: number;
  /** Header name -> mapping expression. */
  readonly headers: Readonly<Record<string, string>>;
  readonly template?: string;
}

/** One compiled `AWS::ApiGateway::RestApi`. */
export interface RestApi {
  readonly logicalId: string;
  readonly apiId: string;
  readonly name: string;
  readonly binaryMediaTypes: readonly string[];
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly root: RouteNode;
  readonly stages: readonly Stage[];
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseDef>;
  readonly methods: readonly Method[];
}

/** An `AWS::ApiGateway::ApiKey`. */
export interface ApiKey {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly value: string;
  readonly enabled: boolean;
}

/** An `AWS::ApiGateway::UsagePlan` with its keys. */
export interface UsagePlan {
  readonly logicalId: string;
  readonly throttle?: Throttle;
  readonly quota?: {
    readonly limit: number;
    readonly period: 'DAY' | 'WEEK' | 'MONTH';
    readonly offset: number;
  };
  readonly stages: readonly {
    readonly apiLogicalId: string;
    readonly stage: string;
    /** `"/items/GET"` -> throttle (the `ApiStages[].Throttle` map). */
    readonly methodThrottles: ReadonlyMap<string, Throttle>;
  }[];
  readonly keyLogicalIds: readonly string[];
}

/** Everything compiled from one template. */
export interface GatewayModel {
  readonly apis: readonly RestApi[];
  readonly apiKeys: readonly ApiKey[];
  readonly usagePlans: readonly UsagePlan[];
  /** Things recognised but not emulated, for a start-up warning. */
  readonly warnings: readonly string[];
}
