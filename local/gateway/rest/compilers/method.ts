/**
 * `AWS::ApiGateway::Method`: its authorization (an authorizer of the template, or a type only checked for
 * presence) and its integration (Lambda proxy, MOCK; others are served as a configuration error).
 * @module
 */
import type { Resolve } from '../../../types';
import { dict } from '../dict';
import type { Authorization, Authorizer, Integration, IntegrationResponse, Method } from '../model';
import {
  type CompileContext,
  deepResolve,
  functionOfUri,
  getAttOf,
  isObj,
  pickTemplate,
  props,
  type Resources,
  refOf,
  resolveBool,
  resolveNumber,
  resolveString,
} from './cfn';
import { type ApiIndex, apiOf } from './rest-api';

/** API Gateway's default integration timeout: 29 s. */
export const DEFAULT_TIMEOUT_MS = 29_000;

/** Compiles the methods onto their resource nodes; returns them by API logical id. */
export function compileMethods(
  c: CompileContext,
  apis: ApiIndex,
  authorizers: ReadonlyMap<string, Authorizer | string>,
): Map<string, Method[]> {
  const { resolve, resources, warnings } = c;
  const methodsByApi = new Map<string, Method[]>();
  for (const [id, r] of c.byType('AWS::ApiGateway::Method')) {
    const p = props(r);
    const a = apiOf(apis, p['RestApiId']);
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

  return methodsByApi;
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
