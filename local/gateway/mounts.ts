/**
 * Where each API stage is served: `/<stage>` when the stage name is unique across APIs, `/<apiId>/<stage>`
 * always, and an `<apiId>.execute-api...` host selecting the API; plus the served stages and routes.
 * @module
 */
import { binaryMatcher } from './rest/media';
import type { RestApi, Stage } from './rest/model';

/** One served method. */
export interface RouteInfo {
  readonly apiLogicalId: string;
  readonly apiId: string;
  readonly stage: string;
  /** The URL path prefix of the stage, e.g. `/dev`. */
  readonly basePath: string;
  /** `GET`, ..., or `ANY`. */
  readonly method: string;
  /** The resource path, e.g. `/items/{id}`. */
  readonly path: string;
  readonly integration: 'AWS_PROXY' | 'MOCK' | 'UNSUPPORTED';
  readonly functionLogicalId?: string;
  readonly authorization: string;
  readonly authorizerLogicalId?: string;
  readonly apiKeyRequired: boolean;
}

/** A served API stage. */
export interface StageInfo {
  readonly apiLogicalId: string;
  readonly apiId: string;
  readonly stage: string;
  /** Every URL path prefix the stage answers on. */
  readonly basePaths: readonly string[];
}

/** An API stage as served. */
export interface Mount {
  readonly api: RestApi;
  readonly stage: Stage;
  readonly isBinary: (mediaType: string | undefined) => boolean;
}

/** The mounts of a set of APIs. */
export interface Mounts {
  readonly stages: readonly StageInfo[];
  readonly routes: readonly RouteInfo[];
  /** Finds the API stage of a URL path; returns the mount and the path after it. */
  find(path: string, host: string | undefined): { mount: Mount; rest: string } | undefined;
}

/** Mounts the stages of the compiled APIs. */
export function mountApis(apis: readonly RestApi[]): Mounts {
  const byStage = new Map<string, Mount[]>();
  const byApiStage = new Map<string, Mount>();
  const stages: StageInfo[] = [];
  for (const api of apis) {
    const isBinary = binaryMatcher(api.binaryMediaTypes);
    for (const stage of api.stages) {
      const m: Mount = { api, stage, isBinary };
      byStage.set(stage.name, [...(byStage.get(stage.name) ?? []), m]);
      byApiStage.set(`${api.apiId}/${stage.name}`, m);
    }
  }
  for (const m of byApiStage.values()) {
    const unique = byStage.get(m.stage.name)!.length === 1;
    stages.push({
      apiLogicalId: m.api.logicalId,
      apiId: m.api.apiId,
      stage: m.stage.name,
      basePaths: unique
        ? [`/${m.stage.name}`, `/${m.api.apiId}/${m.stage.name}`]
        : [`/${m.api.apiId}/${m.stage.name}`],
    });
  }
  const routes: RouteInfo[] = [];
  for (const s of stages) {
    const api = apis.find((a) => a.logicalId === s.apiLogicalId)!;
    for (const m of api.methods) {
      const i = m.integration;
      routes.push({
        apiLogicalId: api.logicalId,
        apiId: api.apiId,
        stage: s.stage,
        basePath: s.basePaths[0]!,
        method: m.httpMethod,
        path: m.resource.path,
        integration: i.type,
        ...(i.type === 'AWS_PROXY' ? { functionLogicalId: i.functionLogicalId } : {}),
        authorization: m.authorization.type,
        ...(m.authorization.type === 'CUSTOM'
          ? { authorizerLogicalId: m.authorization.authorizer.logicalId }
          : {}),
        apiKeyRequired: m.apiKeyRequired,
      });
    }
  }

  /** Finds the API stage of a URL path; returns the mount and the path after it. */
  function find(path: string, host: string | undefined): { mount: Mount; rest: string } | undefined {
    const slash1 = path.indexOf('/', 1);
    const first = slash1 < 0 ? path.slice(1) : path.slice(1, slash1);
    const after1 = slash1 < 0 ? '' : path.slice(slash1);
    // `<apiId>.execute-api...` hosts select the API, like the real endpoint.
    const hostApi = host?.split('.')[0];
    if (hostApi) {
      const m = byApiStage.get(`${hostApi}/${first}`);
      if (m) return { mount: m, rest: after1 };
    }
    const single = byStage.get(first);
    if (single?.length === 1) return { mount: single[0]!, rest: after1 };
    const slash2 = after1.indexOf('/', 1);
    const second = slash2 < 0 ? after1.slice(1) : after1.slice(1, slash2);
    const m = byApiStage.get(`${first}/${second}`);
    if (m) return { mount: m, rest: slash2 < 0 ? '' : after1.slice(slash2) };
    return undefined;
  }

  return { stages, routes, find };
}
