/**
 * `AWS::ApiGateway::Stage`, and `AWS::ApiGateway::Deployment`s that name a stage themselves: stage variables
 * and method throttles.
 * @module
 */
import type { Resolve } from '../../../types';
import { dict } from '../dict';
import type { Stage, Throttle } from '../model';
import { type CompileContext, deepResolve, isObj, props, resolveString, toThrottle } from './cfn';
import { type ApiIndex, apiOf } from './rest-api';

/** The stages of each API, by API logical id (the first of a name wins). */
export function compileStages(c: CompileContext, apis: ApiIndex): Map<string, Stage[]> {
  const { resolve, warnings } = c;
  const stagesByApi = new Map<string, Stage[]>();
  const addStage = (apiLogicalId: string, s: Stage) => {
    const list = stagesByApi.get(apiLogicalId) ?? [];
    if (!list.some((x) => x.name === s.name)) list.push(s);
    stagesByApi.set(apiLogicalId, list);
  };
  for (const [id, r] of c.byType('AWS::ApiGateway::Stage')) {
    const p = props(r);
    const a = apiOf(apis, p['RestApiId']);
    const name = resolveString(resolve, p['StageName']);
    if (!a || !name) {
      warnings.push(`Stage ${id}: no RestApi or StageName`);
      continue;
    }
    addStage(a.api.logicalId, stageFrom(resolve, name, p['Variables'], p['MethodSettings']));
  }
  for (const [, r] of c.byType('AWS::ApiGateway::Deployment')) {
    const p = props(r);
    const a = apiOf(apis, p['RestApiId']);
    const name = resolveString(resolve, p['StageName']);
    if (!a || !name) continue;
    const d = isObj(p['StageDescription']) ? p['StageDescription'] : {};
    addStage(
      a.api.logicalId,
      stageFrom(
        resolve,
        name,
        d['Variables'],
        d['MethodSettings'],
        toThrottle(resolve, d['ThrottlingRateLimit'], d['ThrottlingBurstLimit']),
      ),
    );
  }

  return stagesByApi;
}

/** A stage from its variables, method settings (throttles) and a default throttle (a Deployment's). */
function stageFrom(
  resolve: Resolve,
  name: string,
  variables: unknown,
  methodSettings: unknown,
  dflt?: Throttle,
): Stage {
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
}
