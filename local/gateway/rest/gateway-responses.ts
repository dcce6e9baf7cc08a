/**
 * Errors that API Gateway itself answers ("gateway responses"), their default status, message and
 * `x-amzn-ErrorType`, and how an API's `AWS::ApiGateway::GatewayResponse` resources customise them.
 * @module
 */
import { dict, own } from './dict';
import { evalMapping } from './mapping';
import type { GatewayResponseDef } from './model';

/** The gateway response types the emulator produces. */
export type GatewayErrorType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INVALID_API_KEY'
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'INTEGRATION_TIMEOUT'
  | 'API_CONFIGURATION_ERROR'
  /** Not a customisable type of its own: a Lambda error or a malformed proxy result (502, DEFAULT_5XX). */
  | 'BAD_GATEWAY';

interface Default {
  readonly status: number;
  readonly errorType?: string;
  readonly template: string;
  /** The customisable type, `undefined` when only DEFAULT_4XX/5XX apply. */
  readonly customType?: string;
}

const MSG = '{"message":$context.error.messageString}';

/** Defaults, from the "Gateway response types" page and observed API Gateway answers (see README). */
export const GATEWAY_DEFAULTS: Readonly<Record<GatewayErrorType, Default>> = {
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    errorType: 'MissingAuthenticationTokenException',
    template: MSG,
    customType: 'MISSING_AUTHENTICATION_TOKEN',
  },
  INVALID_API_KEY: {
    status: 403,
    errorType: 'ForbiddenException',
    template: MSG,
    customType: 'INVALID_API_KEY',
  },
  UNAUTHORIZED: {
    status: 401,
    errorType: 'UnauthorizedException',
    template: MSG,
    customType: 'UNAUTHORIZED',
  },
  // The ACCESS_DENIED body is `{"Message": ...}` with a capital M.
  ACCESS_DENIED: {
    status: 403,
    errorType: 'AccessDeniedException',
    template: '{"Message":$context.error.messageString}',
    customType: 'ACCESS_DENIED',
  },
  AUTHORIZER_CONFIGURATION_ERROR: {
    status: 500,
    errorType: 'AuthorizerConfigurationException',
    template: MSG,
    customType: 'AUTHORIZER_CONFIGURATION_ERROR',
  },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException', template: MSG, customType: 'THROTTLED' },
  QUOTA_EXCEEDED: {
    status: 429,
    errorType: 'LimitExceededException',
    template: MSG,
    customType: 'QUOTA_EXCEEDED',
  },
  INTEGRATION_TIMEOUT: { status: 504, template: MSG, customType: 'INTEGRATION_TIMEOUT' },
  API_CONFIGURATION_ERROR: {
    status: 500,
    errorType: 'InternalServerErrorException',
    template: MSG,
    customType: 'API_CONFIGURATION_ERROR',
  },
  BAD_GATEWAY: { status: 502, errorType: 'InternalServerErrorException', template: MSG },
};

/** Default messages; `null` renders as JSON `null`. */
export const GATEWAY_MESSAGES = {
  missingToken: 'Missing Authentication Token',
  forbidden: 'Forbidden',
  unauthorized: 'Unauthorized',
  implicitDeny: 'User is not authorized to access this resource',
  explicitDeny:
    'User is not authorized to access this resource with an explicit deny in an identity-based policy',
  tooManyRequests: 'Too Many Requests',
  limitExceeded: 'Limit Exceeded',
  timedOut: 'Endpoint request timed out',
  internal: 'Internal server error',
} as const;

/** What a template or parameter mapping may read. */
export interface ErrorContext {
  readonly message: string | null;
  readonly responseType: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly path: string;
  readonly sourceIp: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly authorizer?: Readonly<Record<string, string>>;
  /** Request header lookup (exact name, then case-insensitive). */
  readonly header: (name: string) => string | undefined;
  readonly query: (name: string) => string | undefined;
  readonly pathParam: (name: string) => string | undefined;
}

/** A rendered gateway response. */
export interface RenderedError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Renders a gateway error: the API's response for the specific type if it has one, else its DEFAULT_4XX/5XX,
 * else API Gateway's default. A DEFAULT_4XX/5XX status code applies to every type of its class that has none.
 */
export function renderGatewayError(
  type: GatewayErrorType,
  ctx: ErrorContext,
  custom: ReadonlyMap<string, GatewayResponseDef>,
): RenderedError {
  const d = GATEWAY_DEFAULTS[type];
  const family = d.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const specific = d.customType ? custom.get(d.customType) : undefined;
  const fallback = custom.get(family);
  const def = specific ?? fallback;
  const status = specific?.statusCode ?? fallback?.statusCode ?? d.status;
  const headers = dict<string>();
  headers['Content-Type'] = 'application/json';
  if (d.errorType) headers['x-amzn-ErrorType'] = d.errorType;
  for (const [name, expr] of Object.entries(def?.headers ?? {})) {
    const v = mapParameter(expr, ctx);
    if (v !== undefined) headers[name] = v;
  }
  const body = substitute(def?.template ?? d.template, ctx);
  return { status, headers, body };
}

/** Evaluates a `gatewayresponse.header` mapping: `'static'`, `method.request.{header,querystring,path}.X`, `stageVariables.X`. */
export function mapParameter(expr: string, ctx: ErrorContext): string | undefined {
  return evalMapping(expr, {
    header: ctx.header,
    querystring: ctx.query,
    path: ctx.pathParam,
    stageVariable: (n) => own(ctx.stageVariables, n),
  });
}

/**
 * Gateway response templates are not VTL: only `$context.*` and `$stageVariables.*` substitution
 * ("a non-VTL mapping template supporting only simple variable substitutions").
 */
export function substitute(template: string, ctx: ErrorContext): string {
  return template.replace(
    /\$(?:\{(context|stageVariables)\.([\w.-]+)\}|(context|stageVariables)\.([\w-]+(?:\.[\w-]+)*))/g,
    (
      whole,
      r1: string | undefined,
      p1: string | undefined,
      r2: string | undefined,
      p2: string | undefined,
    ) => {
      const root = r1 ?? r2;
      const path = (p1 ?? p2)!;
      if (root === 'stageVariables') return own(ctx.stageVariables, path) ?? '';
      const v = contextValue(path, ctx);
      return v === undefined ? whole : v;
    },
  );
}

function contextValue(path: string, ctx: ErrorContext): string | undefined {
  switch (path) {
    case 'error.messageString':
      return ctx.message === null ? 'null' : JSON.stringify(ctx.message);
    case 'error.message':
      return ctx.message ?? '';
    case 'error.responseType':
      return ctx.responseType;
    case 'requestId':
      return ctx.requestId;
    case 'extendedRequestId':
      return ctx.extendedRequestId;
    case 'apiId':
      return ctx.apiId;
    case 'stage':
      return ctx.stage;
    case 'httpMethod':
      return ctx.httpMethod;
    case 'resourcePath':
      return ctx.resourcePath;
    case 'path':
      return ctx.path;
    case 'identity.sourceIp':
      return ctx.sourceIp;
    default:
      if (path.startsWith('authorizer.')) return own(ctx.authorizer, path.slice('authorizer.'.length)) ?? '';
      return '';
  }
}

/** The response type name `$context.error.responseType` shows for an emulator error type. */
export function responseTypeName(type: GatewayErrorType): string {
  return GATEWAY_DEFAULTS[type].customType ?? 'DEFAULT_5XX';
}
