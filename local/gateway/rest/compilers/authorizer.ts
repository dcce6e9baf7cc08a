/**
 * `AWS::ApiGateway::Authorizer`: Lambda authorizers (TOKEN, REQUEST) with their identity sources, validation
 * expression and cache TTL. Any other type is kept as the reason a method using it cannot be served.
 * @module
 */
import type { Authorizer } from '../model';
import {
  type CompileContext,
  functionOfUri,
  hashId,
  parseIdentitySources,
  props,
  resolveNumber,
  resolveString,
} from './cfn';

/** `AuthorizerResultTtlInSeconds` default. */
export const DEFAULT_AUTHORIZER_TTL = 300;

/** The template's authorizers by logical id: compiled, or why not. */
export function compileAuthorizers(c: CompileContext): Map<string, Authorizer | string> {
  const { resolve, resources, warnings } = c;
  const authorizers = new Map<string, Authorizer | string>();
  for (const [id, r] of c.byType('AWS::ApiGateway::Authorizer')) {
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

  return authorizers;
}
