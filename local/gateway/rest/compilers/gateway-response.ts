/**
 * `AWS::ApiGateway::GatewayResponse`: an API's own status, headers and template for a gateway response type.
 * @module
 */
import { dict } from '../dict';
import type { GatewayResponseDef } from '../model';
import {
  type CompileContext,
  deepResolve,
  isObj,
  pickTemplate,
  props,
  resolveNumber,
  resolveString,
} from './cfn';
import { type ApiIndex, apiOf } from './rest-api';

/** Sets each gateway response on its API. */
export function compileGatewayResponses(c: CompileContext, apis: ApiIndex): void {
  const { resolve, warnings } = c;
  for (const [id, r] of c.byType('AWS::ApiGateway::GatewayResponse')) {
    const p = props(r);
    const a = apiOf(apis, p['RestApiId']);
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
}
