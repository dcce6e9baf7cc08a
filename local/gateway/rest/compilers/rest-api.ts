/**
 * `AWS::ApiGateway::RestApi` and `AWS::ApiGateway::Resource`: each API with its resource tree (literal parts,
 * `{param}`, greedy `{proxy+}`), resources attached to their parents in any template order.
 * @module
 */
import type { RestApi, RouteNode } from '../model';
import { type CompileContext, deepResolve, getAttOf, hashId, props, refOf, resolveString } from './cfn';

/** An API being compiled: everything but its stages and methods, and its resource nodes by logical id. */
export interface ApiEntry {
  readonly api: Omit<RestApi, 'stages' | 'methods'>;
  readonly nodes: Map<string, RouteNode>;
}

/** The template's APIs by logical id. */
export type ApiIndex = Map<string, ApiEntry>;

/** The API a `RestApiId` property refers to. */
export function apiOf(apis: ApiIndex, v: unknown): ApiEntry | undefined {
  const id = refOf(v);
  return id ? apis.get(id) : undefined;
}

/** The template's RestApis, each with its root node only. */
export function compileRestApis(c: CompileContext): ApiIndex {
  const { resolve, warnings } = c;
  const apis: ApiIndex = new Map();
  for (const [id, r] of c.byType('AWS::ApiGateway::RestApi')) {
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
  return apis;
}

/** Attaches each `AWS::ApiGateway::Resource` to its parent (parents may come later in the template). */
export function compileResources(c: CompileContext, apis: ApiIndex): void {
  const { resolve, warnings } = c;
  const pending = c.byType('AWS::ApiGateway::Resource');
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let i = pending.length - 1; i >= 0; i--) {
      const [id, r] = pending[i]!;
      const p = props(r);
      const a = apiOf(apis, p['RestApiId']);
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
}
