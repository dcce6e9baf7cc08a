/**
 * Compiles the template's `AWS::ApiGateway::*` resources into a {@link GatewayModel}: one compiler per resource
 * kind under `compilers/`, run in dependency order (authorizers and APIs before the methods that name them).
 * Ids and references are read structurally (`Ref`, `Fn::GetAtt`), scalar values go through the caller's
 * `resolve`.
 * @module
 */
import type { CfnResource, CfnTemplate, Resolve } from '../../types';
import { compileAuthorizers } from './compilers/authorizer';
import type { CompileContext } from './compilers/cfn';
import { compileGatewayResponses } from './compilers/gateway-response';
import { compileMethods } from './compilers/method';
import { compileResources, compileRestApis } from './compilers/rest-api';
import { compileStages } from './compilers/stage';
import { compileApiKeys, compileUsagePlans } from './compilers/usage-plan';
import type { GatewayModel, RestApi } from './model';

export { DEFAULT_AUTHORIZER_TTL } from './compilers/authorizer';
export { functionOfUri, hashId, parseIdentitySources } from './compilers/cfn';
export { DEFAULT_TIMEOUT_MS } from './compilers/method';
export { generateApiKeyValue } from './compilers/usage-plan';

/** Options of {@link compileGateway}. */
export interface CompileOptions {
  readonly template: CfnTemplate;
  readonly resolve: Resolve;
  /** Values for `AWS::ApiGateway::ApiKey` resources without `Value`, by logical id (kept stable by the caller). */
  readonly apiKeyValues?: Readonly<Record<string, string>>;
}

/** Compiles the `AWS::ApiGateway::*` resources of a template. */
export function compileGateway(opts: CompileOptions): GatewayModel {
  const resources = opts.template.Resources;
  const c: CompileContext = {
    resolve: opts.resolve,
    resources,
    warnings: [],
    byType: (type: string): [string, CfnResource][] =>
      Object.entries(resources).filter(([, r]) => r.Type === type),
  };
  const authorizers = compileAuthorizers(c);
  const apis = compileRestApis(c);
  compileResources(c, apis);
  const methodsByApi = compileMethods(c, apis, authorizers);
  compileGatewayResponses(c, apis);
  const stagesByApi = compileStages(c, apis);
  const apiKeys = compileApiKeys(c, opts.apiKeyValues);
  const usagePlans = compileUsagePlans(c);

  const compiledApis: RestApi[] = [...apis.values()].map(({ api }) => ({
    ...api,
    stages: stagesByApi.get(api.logicalId) ?? [],
    methods: methodsByApi.get(api.logicalId) ?? [],
  }));
  for (const a of compiledApis)
    if (a.stages.length === 0) c.warnings.push(`RestApi ${a.logicalId}: no stage; not served`);
  return { apis: compiledApis, apiKeys, usagePlans, warnings: c.warnings };
}
