/**
 * Each function's IAM identity, read from the template once (at start and at each hot reload): its execution
 * role (`Role` of the `AWS::Lambda::Function`), the role's inline `Policies`, the `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` resources whose `Roles` name it, its `ManagedPolicyArns` (template managed policies,
 * and the AWS managed ones listed in `managed.ts`), and its `PermissionsBoundary`, all resolved with the twin's
 * resolver so the ARNs are the local ones, then compiled.
 *
 * Decided here:
 * - a role in the template with no policy at all denies every DynamoDB call (as on AWS);
 * - a function whose role is not in the template (an imported ARN) or that has no `Role` is not enforced: the
 *   twin cannot know its grants; a warning says so at start;
 * - an unknown managed policy (AWS managed and not listed, or customer managed outside the template) grants
 *   nothing, with a warning; an unknown permissions boundary is ignored, with a warning.
 * @module
 */
import type { Resolver } from '../assembly/resolver';
import type { CfnTemplate, FunctionSpec, Log } from '../types';
import { type CompiledStatement, compilePolicy, type PolicySet } from './evaluate';
import { awsManagedName, KNOWN_AWS_MANAGED } from './managed';

/** One function as the IAM proxy sees it. */
export interface FunctionPrincipal {
  readonly functionLogicalId: string;
  readonly functionName: string;
  /** Absent when the role is not in the template. */
  readonly roleName?: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`: the `User:` of AWS's messages. */
  readonly sessionArn: string;
  /** False: the role is unknown here; calls are forwarded unchecked. */
  readonly enforced: boolean;
  readonly policies: PolicySet;
}

export interface PrincipalOptions {
  readonly accountId: string;
  /** @default 'aws' */
  readonly partition?: string;
  readonly log?: Log;
}

type Props = Record<string, unknown>;

/** True when a statement could concern DynamoDB item calls (for warnings about what it does locally). */
function concernsDynamoDB(st: CompiledStatement): boolean {
  const probe = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
  return probe.some((a) =>
    st.actions ? st.actions.some((re) => re.test(a)) : !(st.notActions ?? []).some((re) => re.test(a)),
  );
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * The principals of the given functions.
 * @example
 * const principals = functionPrincipals(stack.template, resolver, functions, { accountId, log });
 */
export function functionPrincipals(
  template: CfnTemplate,
  resolver: Pick<Resolver, 'resolve' | 'ref' | 'getAtt' | 'isIncluded'>,
  functions: readonly Pick<FunctionSpec, 'logicalId' | 'functionName'>[],
  opts: PrincipalOptions,
): FunctionPrincipal[] {
  const log = opts.log ?? (() => {});
  const resources = Object.entries(template.Resources).filter(([id]) => resolver.isIncluded(id));
  const props = (id: string, p: unknown): Props => (resolver.resolve(p ?? {}, id) ?? {}) as Props;

  const roles = new Map<string, { logicalId: string; name: string; arn: string; props: Props }>();
  const docsByRole = new Map<string, { doc: unknown; name: string }[]>();
  const managed = new Map<string, { doc: unknown; name: string }>();
  const attach = (roleName: string, doc: unknown, name: string) => {
    const l = docsByRole.get(roleName) ?? [];
    l.push({ doc, name });
    docsByRole.set(roleName, l);
  };
  for (const [id, res] of resources) {
    if (res.Type === 'AWS::IAM::Role') {
      roles.set(id, {
        logicalId: id,
        name: String(resolver.ref(id)),
        arn: String(resolver.getAtt(id, 'Arn')),
        props: props(id, res.Properties),
      });
    } else if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::ManagedPolicy') {
      const p = props(id, res.Properties);
      const name = String(p['PolicyName'] ?? p['ManagedPolicyName'] ?? id);
      for (const r of asList(p['Roles'])) attach(String(r), p['PolicyDocument'], name);
      if (res.Type === 'AWS::IAM::ManagedPolicy')
        managed.set(String(resolver.ref(id)), { doc: p['PolicyDocument'], name });
    }
  }

  const managedPolicy = (arn: string, where: string): { doc: unknown; name: string } | undefined => {
    const own = managed.get(arn);
    if (own) return own;
    const awsName = awsManagedName(arn);
    const known = awsName !== undefined ? KNOWN_AWS_MANAGED.get(awsName) : undefined;
    if (known) return { doc: known, name: `AWS managed ${awsName}` };
    log(
      `warning: IAM: ${where}: managed policy ${arn} is not in the template and not one the twin knows; it grants nothing locally`,
    );
    return undefined;
  };

  return functions.map((fn) => {
    const res = template.Resources[fn.logicalId];
    const roleRef = res ? resolver.resolve(res.Properties?.['Role'], fn.logicalId) : undefined;
    const role = [...roles.values()].find((r) => r.arn === roleRef || r.name === roleRef);
    const unknownRole = (why: string): FunctionPrincipal => {
      log(`warning: IAM: ${fn.logicalId}: ${why}; its DynamoDB calls are not checked locally`);
      const roleName = typeof roleRef === 'string' ? roleRef.split('/').at(-1) || 'unknown' : 'unknown';
      return {
        functionLogicalId: fn.logicalId,
        functionName: fn.functionName,
        sessionArn: `arn:${opts.partition ?? 'aws'}:sts::${opts.accountId}:assumed-role/${roleName}/${fn.functionName}`,
        enforced: false,
        policies: { identity: [] },
      };
    };
    if (typeof roleRef !== 'string' || !roleRef) return unknownRole('it has no Role');
    if (!role) return unknownRole(`its role ${roleRef} is not defined in the template`);

    const where = `${fn.logicalId} (role ${role.name})`;
    const identity: CompiledStatement[] = [];
    const add = (doc: unknown, name: string) => {
      for (const st of compilePolicy(doc, name, (l) => log(`${l} [${where}]`))) {
        if (st.conditional && concernsDynamoDB(st)) {
          log(
            `warning: IAM: ${where}: ${st.source} has a Condition, which the twin does not evaluate: ${
              st.effect === 'Allow' ? 'this Allow grants nothing locally' : 'this Deny always applies locally'
            }`,
          );
        }
        identity.push(st);
      }
    };
    asList(role.props['Policies']).forEach((p, i) => {
      const pol = (p ?? {}) as Props;
      add(pol['PolicyDocument'], String(pol['PolicyName'] ?? `inline policy ${i + 1}`));
    });
    for (const d of docsByRole.get(role.name) ?? []) add(d.doc, d.name);
    for (const arn of asList(role.props['ManagedPolicyArns'])) {
      const m = managedPolicy(String(arn), where);
      if (m) add(m.doc, m.name);
    }
    let boundary: CompiledStatement[] | undefined;
    const pb = role.props['PermissionsBoundary'];
    if (typeof pb === 'string' && pb) {
      const m =
        managed.get(pb) ??
        (KNOWN_AWS_MANAGED.has(awsManagedName(pb) ?? '') ? managedPolicy(pb, where) : undefined);
      if (m) boundary = compilePolicy(m.doc, `${m.name} (permissions boundary)`, log);
      else log(`warning: IAM: ${where}: permissions boundary ${pb} is unknown here; ignored`);
    }
    return {
      functionLogicalId: fn.logicalId,
      functionName: fn.functionName,
      roleName: role.name,
      sessionArn: `arn:${opts.partition ?? 'aws'}:sts::${opts.accountId}:assumed-role/${role.name}/${fn.functionName}`,
      enforced: true,
      policies: boundary ? { identity, boundary } : { identity },
    };
  });
}
