/**
 * Compiles the template's `AWS::ApiGateway::*` resources into a {@link GatewayModel}. Ids and references are read
 * structurally (`Ref`, `Fn::GetAtt`), scalar values go through the caller's `resolve`.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import type { CfnResource, CfnTemplate, Resolve } from '../../types';
import { dict, own } from './dict';
import { parseMapping } from './mapping';
import type {
  ApiKey,
  Authorization,
  Authorizer,
  GatewayModel,
  GatewayResponseDef,
  IdentitySource,
  Integration,
  IntegrationResponse,
  Method,
  RestApi,
  RouteNode,
  Stage,
  Throttle,
  UsagePlan,
} from './model';

/** Options of {@link compileGateway}. */
export interface CompileOptions {
  readonly template: CfnTemplate;
  readonly resolve: Resolve;
  /** Values for `AWS::ApiGateway::ApiKey` resources without `Value`, by logical id (kept stable by the caller). */
  readonly apiKeyValues?: Readonly<Record<string, string>>;
}

/** API Gateway's default integration timeout: 29 s. */
export const DEFAULT_TIMEOUT_MS = 29_000;
/** `AuthorizerResultTtlInSeconds` default. */
export const DEFAULT_AUTHORIZER_TTL = 300;

/** A stable lowercase alphanumeric id of `len` characters derived from `seed`. */
export function hashId(seed: string, len: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${hex}`).toString(36).slice(0, len).padStart(len, '0');
}

/** A random API key value: 40 alphanumeric characters, like the ones API Gateway generates. */
export function generateApiKeyValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(40);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

type Resources = Readonly<Record<string, CfnResource>>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The logical id a `{Ref: X}` points to. */
function refOf(v: unknown): string | undefined {
  return isObj(v) && typeof v['Ref'] === 'string' ? v['Ref'] : undefined;
}

/** `[X, attr]` of a `{Fn::GetAtt: ...}` (array or dotted string form). */
function getAttOf(v: unknown): [string, string] | undefined {
  if (!isObj(v)) return undefined;
  const g = v['Fn::GetAtt'];
  if (Array.isArray(g) && typeof g[0] === 'string' && typeof g[1] === 'string') return [g[0], g[1]];
  if (typeof g === 'string' && g.includes('.')) {
    const i = g.indexOf('.');
    return [g.slice(0, i), g.slice(i + 1)];
  }
  return undefined;
}

function tryResolve(resolve: Resolve, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  try {
    return resolve(v);
  } catch {
    return undefined;
  }
}

/** Resolves the intrinsics inside a structure (maps and lists are walked, intrinsic nodes resolved). */
function deepResolve(resolve: Resolve, v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => deepResolve(resolve, x));
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return tryResolve(resolve, v);
  const out = dict<unknown>();
  for (const [k, x] of Object.entries(v)) out[k] = deepResolve(resolve, x);
  return out;
}

function resolveString(resolve: Resolve, v: unknown): string | undefined {
  const r = tryResolve(resolve, v);
  if (typeof r === 'string') return r;
  if (typeof r === 'number' || typeof r === 'boolean') return String(r);
  return undefined;
}

function resolveNumber(resolve: Resolve, v: unknown): number | undefined {
  const r = tryResolve(resolve, v);
  const n = typeof r === 'string' && r.trim() !== '' ? Number(r) : r;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function resolveBool(resolve: Resolve, v: unknown): boolean | undefined {
  const r = tryResolve(resolve, v);
  if (typeof r === 'boolean') return r;
  if (r === 'true') return true;
  if (r === 'false') return false;
  return undefined;
}

const LAMBDA_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);

/**
 * Finds the Lambda function an integration `Uri` or `AuthorizerUri` points to, by the `Fn::GetAtt [Fn, Arn]`,
 * `Ref` or `${Fn.Arn}` inside it; aliases and versions lead to their function.
 */
export function functionOfUri(uri: unknown, resources: Resources): string | undefined {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)) if (m[1]) found.push(m[1]);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!isObj(v)) return;
    const ga = getAttOf(v);
    if (ga) found.push(ga[0]);
    const r = refOf(v);
    if (r) found.push(r);
    for (const x of Object.values(v)) walk(x);
  };
  walk(uri);
  for (const id of found) {
    const fn = followToFunction(id, resources, 0);
    if (fn) return fn;
  }
  return undefined;
}

function followToFunction(id: string, resources: Resources, depth: number): string | undefined {
  const r = resources[id];
  if (!r || !LAMBDA_TYPES.has(r.Type) || depth > 3) return undefined;
  if (r.Type === 'AWS::Lambda::Function') return id;
  const fnName = r.Properties?.['FunctionName'];
  const target = refOf(fnName) ?? getAttOf(fnName)?.[0];
  return target ? followToFunction(target, resources, depth + 1) : undefined;
}

/** Parses `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`. */
export function parseIdentitySources(spec: string): IdentitySource[] | string {
  const out: IdentitySource[] = [];
  for (const raw of spec.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    const m = parseMapping(s);
    if (!m || m.kind === 'static' || m.kind === 'path') return `unsupported identity source ${s}`;
    out.push({ kind: m.kind, name: m.name });
  }
  return out;
}

function pickTemplate(templates: unknown): string | undefined {
  if (!isObj(templates)) return undefined;
  const json = templates['application/json'];
  if (typeof json === 'string') return json;
  const first = Object.values(templates).find((t) => typeof t === 'string');
  return typeof first === 'string' ? first : undefined;
}

function toThrottle(resolve: Resolve, rate: unknown, burst: unknown): Throttle | undefined {
  const r = resolveNumber(resolve, rate);
  const b = resolveNumber(resolve, burst);
  if (r === undefined && b === undefined) return undefined;
  // A throttle with only one of the two: the other is unbounded in practice.
  return { rateLimit: r ?? Number.POSITIVE_INFINITY, burstLimit: b ?? Number.POSITIVE_INFINITY };
}

/** Compiles the `AWS::ApiGateway::*` resources of a template. */
export function compileGateway(opts: CompileOptions): GatewayModel {
  const { template, resolve } = opts;
  const resources = template.Resources;
  const warnings: string[] = [];
  const byType = (type: string): [string, CfnResource][] =>
    Object.entries(resources).filter(([, r]) => r.Type === type);
  const props = (r: CfnResource): Record<string, unknown> => r.Properties ?? {};

  // --- authorizers
  const authorizers = new Map<string, Authorizer | string>();
  for (const [id, r] of byType('AWS::ApiGateway::Authorizer')) {
    const p = props(r);
    const type = resolveString(resolve, p['Type']);
    if (type !== 'TOKEN' && type !== 'REQUEST') {
      authorizers.set(id, `authorizer ${id}: type ${type} is not emulated`);
      continue;
    }
    const fn = functionOfUri(p['AuthorizerUri'], resources);
    if (!fn) {
      authorizers.set(id, `authorizer ${id}: AuthorizerUri names no Lambda function of the template`);
      continue;
    }
    const sources = parseIdentitySources(resolveString(resolve, p['IdentitySource']) ?? '');
    if (typeof sources === 'string') {
      authorizers.set(id, `authorizer ${id}: ${sources}`);
      continue;
    }
    const regex = resolveString(resolve, p['IdentityValidationExpression']);
    let validation: RegExp | undefined;
    try {
      validation = regex ? new RegExp(`^(?:${regex})$`) : undefined;
    } catch {
      warnings.push(`authorizer ${id}: IdentityValidationExpression is not a valid regex; ignored`);
    }
    const ttl = resolveNumber(resolve, p['AuthorizerResultTtlInSeconds']);
    authorizers.set(id, {
      logicalId: id,
      authorizerId: resolveString(resolve, { Ref: id }) ?? hashId(`authorizer/${id}`, 6),
      type,
      functionLogicalId: fn,
      identitySources: type === 'TOKEN' ? sources.slice(0, 1) : sources,
      ...(validation && type === 'TOKEN' ? { validation } : {}),
      ttlSeconds: Math.max(0, Math.min(3600, ttl ?? DEFAULT_AUTHORIZER_TTL)),
    });
  }

  // --- APIs: root nodes first, so resources can attach to them
  const apis = new Map<string, { api: Omit<RestApi, 'stages' | 'methods'>; nodes: Map<string, RouteNode> }>();
  for (const [id, r] of byType('AWS::ApiGateway::RestApi')) {
    const p = props(r);
    if (p['Body'] !== undefined || p['BodyS3Location'] !== undefined) {
      warnings.push(
        `RestApi ${id}: an OpenAPI Body is not emulated; only Resource/Method resources are served`,
      );
    }
    const apiId = resolveString(resolve, { Ref: id }) ?? hashId(`restapi/${id}`, 10);
    const rootId =
      resolveString(resolve, { 'Fn::GetAtt': [id, 'RootResourceId'] }) ?? hashId(`restapi/${id}/root`, 10);
    const root: RouteNode = {
      resource: { logicalId: `${id}/root`, resourceId: rootId, path: '/' },
      literals: new Map(),
      methods: new Map(),
    };
    const bmt = deepResolve(resolve, p['BinaryMediaTypes']);
    const keySource = resolveString(resolve, p['ApiKeySourceType']);
    apis.set(id, {
      api: {
        logicalId: id,
        apiId,
        name: resolveString(resolve, p['Name']) ?? id,
        // API Gateway stores `~1` for `/` in media types given through the API; CDK passes them unescaped.
        binaryMediaTypes: Array.isArray(bmt)
          ? bmt.filter((x) => typeof x === 'string').map((x) => x.replace(/~1/g, '/'))
          : [],
        apiKeySource: keySource === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
        root,
        gatewayResponses: new Map(),
      },
      nodes: new Map([[`root`, root]]),
    });
  }
  const apiOf = (v: unknown) => {
    const id = refOf(v);
    return id ? apis.get(id) : undefined;
  };

  // --- resources: attach each to its parent (parents may come later in the template)
  const pending = byType('AWS::ApiGateway::Resource');
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let i = pending.length - 1; i >= 0; i--) {
      const [id, r] = pending[i]!;
      const p = props(r);
      const a = apiOf(p['RestApiId']);
      if (!a) {
        warnings.push(`Resource ${id}: RestApiId is not a RestApi of the template`);
        pending.splice(i, 1);
        continue;
      }
      const parentRef = refOf(p['ParentId']);
      const parentAtt = getAttOf(p['ParentId']);
      const parent =
        parentAtt && parentAtt[1] === 'RootResourceId'
          ? a.nodes.get('root')
          : parentRef
            ? a.nodes.get(parentRef)
            : undefined;
      if (!parent) continue;
      pending.splice(i, 1);
      progress = true;
      const part = resolveString(resolve, p['PathPart']) ?? '';
      const path = `${parent.resource.path === '/' ? '' : parent.resource.path}/${part}`;
      const node: RouteNode = {
        resource: {
          logicalId: id,
          resourceId: resolveString(resolve, { Ref: id }) ?? hashId(`resource/${id}`, 6),
          path,
        },
        literals: new Map(),
        methods: new Map(),
      };
      const greedy = part.match(/^\{(.+)\+\}$/);
      const param = part.match(/^\{(.+)\}$/);
      if (greedy) parent.greedy = { name: greedy[1]!, node };
      else if (param) parent.param = { name: param[1]!, node };
      else parent.literals.set(part, node);
      a.nodes.set(id, node);
    }
  }
  for (const [id] of pending) warnings.push(`Resource ${id}: its ParentId is not a resource of the template`);

  // --- methods
  const methodsByApi = new Map<string, Method[]>();
  for (const [id, r] of byType('AWS::ApiGateway::Method')) {
    const p = props(r);
    const a = apiOf(p['RestApiId']);
    if (!a) {
      warnings.push(`Method ${id}: RestApiId is not a RestApi of the template`);
      continue;
    }
    const resAtt = getAttOf(p['ResourceId']);
    const node =
      resAtt && resAtt[1] === 'RootResourceId'
        ? a.nodes.get('root')
        : a.nodes.get(refOf(p['ResourceId']) ?? '');
    if (!node) {
      warnings.push(`Method ${id}: ResourceId is not a resource of the template`);
      continue;
    }
    const httpMethod = (resolveString(resolve, p['HttpMethod']) ?? '').toUpperCase();
    const method: Method = {
      logicalId: id,
      httpMethod,
      resource: node.resource,
      authorization: compileAuthorization(resolve, p, authorizers),
      apiKeyRequired: resolveBool(resolve, p['ApiKeyRequired']) ?? false,
      integration: compileIntegration(resolve, p['Integration'], resources),
    };
    if (method.authorization.type === 'INVALID')
      warnings.push(`Method ${id}: ${method.authorization.reason}`);
    if (method.authorization.type === 'AWS_IAM' || method.authorization.type === 'COGNITO_USER_POOLS') {
      warnings.push(`Method ${id}: authorization ${method.authorization.type} is not emulated`);
    }
    if (method.integration.type === 'UNSUPPORTED')
      warnings.push(`Method ${id}: ${method.integration.reason}`);
    node.methods.set(httpMethod, method);
    const list = methodsByApi.get(a.api.logicalId) ?? [];
    list.push(method);
    methodsByApi.set(a.api.logicalId, list);
  }

  // --- gateway responses
  for (const [id, r] of byType('AWS::ApiGateway::GatewayResponse')) {
    const p = props(r);
    const a = apiOf(p['RestApiId']);
    const type = resolveString(resolve, p['ResponseType']);
    if (!a || !type) {
      warnings.push(`GatewayResponse ${id}: no RestApi or ResponseType`);
      continue;
    }
    const headers = dict<string>();
    const params = deepResolve(resolve, p['ResponseParameters']);
    if (isObj(params)) {
      for (const [k, v] of Object.entries(params)) {
        const m = k.match(/^gatewayresponse\.header\.(.+)$/);
        if (m && typeof v === 'string') headers[m[1]!] = v;
      }
    }
    const status = resolveNumber(resolve, p['StatusCode']);
    const template = pickTemplate(deepResolve(resolve, p['ResponseTemplates']));
    const def: GatewayResponseDef = {
      ...(status !== undefined ? { statusCode: status } : {}),
      headers,
      ...(template !== undefined ? { template } : {}),
    };
    (a.api.gatewayResponses as Map<string, GatewayResponseDef>).set(type, def);
  }

  // --- stages: Stage resources, and Deployments that name a stage themselves
  const stagesByApi = new Map<string, Stage[]>();
  const addStage = (apiLogicalId: string, s: Stage) => {
    const list = stagesByApi.get(apiLogicalId) ?? [];
    if (!list.some((x) => x.name === s.name)) list.push(s);
    stagesByApi.set(apiLogicalId, list);
  };
  const stageFrom = (name: string, variables: unknown, methodSettings: unknown, dflt?: Throttle): Stage => {
    const vars = dict<string>();
    const v = deepResolve(resolve, variables);
    if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') vars[k] = x;
    const methodThrottles: { resourcePath: string; httpMethod: string; throttle: Throttle }[] = [];
    const ms = deepResolve(resolve, methodSettings);
    if (Array.isArray(ms)) {
      for (const m of ms) {
        if (!isObj(m)) continue;
        const t = toThrottle(resolve, m['ThrottlingRateLimit'], m['ThrottlingBurstLimit']);
        if (!t) continue;
        // `/~1items` is `/` + the JSON-pointer-escaped resource path `/items`; `/*` is every resource.
        const raw = resolveString(resolve, m['ResourcePath']) ?? '/*';
        const rp = raw === '/*' ? raw : raw.replace(/^\//, '').replace(/~1/g, '/');
        methodThrottles.push({
          resourcePath: rp,
          httpMethod: resolveString(resolve, m['HttpMethod']) ?? '*',
          throttle: t,
        });
      }
    }
    if (dflt) methodThrottles.push({ resourcePath: '/*', httpMethod: '*', throttle: dflt });
    return { name, variables: vars, methodThrottles };
  };
  for (const [id, r] of byType('AWS::ApiGateway::Stage')) {
    const p = props(r);
    const a = apiOf(p['RestApiId']);
    const name = resolveString(resolve, p['StageName']);
    if (!a || !name) {
      warnings.push(`Stage ${id}: no RestApi or StageName`);
      continue;
    }
    addStage(a.api.logicalId, stageFrom(name, p['Variables'], p['MethodSettings']));
  }
  for (const [, r] of byType('AWS::ApiGateway::Deployment')) {
    const p = props(r);
    const a = apiOf(p['RestApiId']);
    const name = resolveString(resolve, p['StageName']);
    if (!a || !name) continue;
    const d = isObj(p['StageDescription']) ? p['StageDescription'] : {};
    addStage(
      a.api.logicalId,
      stageFrom(
        name,
        d['Variables'],
        d['MethodSettings'],
        toThrottle(resolve, d['ThrottlingRateLimit'], d['ThrottlingBurstLimit']),
      ),
    );
  }

  // --- API keys
  const apiKeys: ApiKey[] = [];
  for (const [id, r] of byType('AWS::ApiGateway::ApiKey')) {
    const p = props(r);
    const value = resolveString(resolve, p['Value']) ?? own(opts.apiKeyValues, id) ?? generateApiKeyValue();
    apiKeys.push({
      logicalId: id,
      id: resolveString(resolve, { Ref: id }) ?? hashId(`apikey/${id}`, 10),
      name: resolveString(resolve, p['Name']) ?? id,
      value,
      enabled: resolveBool(resolve, p['Enabled']) ?? false,
    });
  }

  // --- usage plans and their keys
  const stageNameOf = (v: unknown): string | undefined => {
    const ref = refOf(v);
    const target = ref ? resources[ref] : undefined;
    if (target?.Type === 'AWS::ApiGateway::Stage')
      return resolveString(resolve, target.Properties?.['StageName']);
    return resolveString(resolve, v);
  };
  const usagePlans: UsagePlan[] = [];
  for (const [id, r] of byType('AWS::ApiGateway::UsagePlan')) {
    const p = props(r);
    const t = isObj(p['Throttle']) ? p['Throttle'] : {};
    const q = isObj(p['Quota']) ? p['Quota'] : undefined;
    const stages: UsagePlan['stages'][number][] = [];
    const apiStages = Array.isArray(p['ApiStages']) ? p['ApiStages'] : [];
    for (const s of apiStages) {
      if (!isObj(s)) continue;
      const apiLogicalId = refOf(s['ApiId']);
      const stage = stageNameOf(s['Stage']);
      if (!apiLogicalId || !stage) continue;
      const methodThrottles = new Map<string, Throttle>();
      if (isObj(s['Throttle'])) {
        for (const [k, v] of Object.entries(s['Throttle'])) {
          if (!isObj(v)) continue;
          const th = toThrottle(resolve, v['RateLimit'], v['BurstLimit']);
          if (th) methodThrottles.set(k, th);
        }
      }
      stages.push({ apiLogicalId, stage, methodThrottles });
    }
    const limit = q ? resolveNumber(resolve, q['Limit']) : undefined;
    const period = q ? resolveString(resolve, q['Period']) : undefined;
    const throttle = toThrottle(resolve, t['RateLimit'], t['BurstLimit']);
    usagePlans.push({
      logicalId: id,
      ...(throttle ? { throttle } : {}),
      ...(limit !== undefined && (period === 'DAY' || period === 'WEEK' || period === 'MONTH')
        ? { quota: { limit, period, offset: resolveNumber(resolve, q?.['Offset']) ?? 0 } }
        : {}),
      stages,
      keyLogicalIds: [],
    });
  }
  for (const [id, r] of byType('AWS::ApiGateway::UsagePlanKey')) {
    const p = props(r);
    const plan = usagePlans.find((u) => u.logicalId === refOf(p['UsagePlanId']));
    const key = refOf(p['KeyId']);
    if (!plan || !key) {
      warnings.push(`UsagePlanKey ${id}: UsagePlanId or KeyId is not a resource of the template`);
      continue;
    }
    (plan.keyLogicalIds as string[]).push(key);
  }

  const compiledApis: RestApi[] = [...apis.values()].map(({ api }) => ({
    ...api,
    stages: stagesByApi.get(api.logicalId) ?? [],
    methods: methodsByApi.get(api.logicalId) ?? [],
  }));
  for (const a of compiledApis)
    if (a.stages.length === 0) warnings.push(`RestApi ${a.logicalId}: no stage; not served`);
  return { apis: compiledApis, apiKeys, usagePlans, warnings };
}

function compileAuthorization(
  resolve: Resolve,
  p: Record<string, unknown>,
  authorizers: ReadonlyMap<string, Authorizer | string>,
): Authorization {
  const type = resolveString(resolve, p['AuthorizationType']) ?? 'NONE';
  if (type === 'NONE') return { type: 'NONE' };
  if (type === 'AWS_IAM') return { type: 'AWS_IAM' };
  if (type === 'COGNITO_USER_POOLS') return { type: 'COGNITO_USER_POOLS' };
  if (type !== 'CUSTOM') return { type: 'INVALID', reason: `unknown AuthorizationType ${type}` };
  const a = authorizers.get(refOf(p['AuthorizerId']) ?? '');
  if (a === undefined)
    return { type: 'INVALID', reason: 'AuthorizerId is not an authorizer of the template' };
  if (typeof a === 'string') return { type: 'INVALID', reason: a };
  return { type: 'CUSTOM', authorizer: a };
}

function compileIntegration(resolve: Resolve, raw: unknown, resources: Resources): Integration {
  if (!isObj(raw)) return { type: 'UNSUPPORTED', reason: 'no Integration' };
  const type = resolveString(resolve, raw['Type']);
  if (type === 'AWS_PROXY') {
    const fn = functionOfUri(raw['Uri'], resources);
    if (!fn) return { type: 'UNSUPPORTED', reason: 'AWS_PROXY Uri names no Lambda function of the template' };
    const t = resolveNumber(resolve, raw['TimeoutInMillis']);
    return { type: 'AWS_PROXY', functionLogicalId: fn, timeoutMs: t ?? DEFAULT_TIMEOUT_MS };
  }
  if (type === 'MOCK') {
    const responses: IntegrationResponse[] = [];
    const list = Array.isArray(raw['IntegrationResponses']) ? raw['IntegrationResponses'] : [];
    for (const ir of list) {
      if (!isObj(ir)) continue;
      const status = resolveNumber(resolve, ir['StatusCode']);
      if (status === undefined) continue;
      const pattern = resolveString(resolve, ir['SelectionPattern']);
      const params = dict<string>();
      const rp = deepResolve(resolve, ir['ResponseParameters']);
      if (isObj(rp)) for (const [k, v] of Object.entries(rp)) if (typeof v === 'string') params[k] = v;
      const tpl = pickTemplate(deepResolve(resolve, ir['ResponseTemplates']));
      responses.push({
        statusCode: status,
        ...(pattern ? { selectionPattern: new RegExp(`^(?:${pattern})$`) } : {}),
        responseParameters: params,
        ...(tpl !== undefined ? { responseTemplate: tpl } : {}),
      });
    }
    const req = pickTemplate(deepResolve(resolve, raw['RequestTemplates']));
    return { type: 'MOCK', ...(req !== undefined ? { requestTemplate: req } : {}), responses };
  }
  return { type: 'UNSUPPORTED', reason: `integration type ${type} is not emulated` };
}
