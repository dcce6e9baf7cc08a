/**
 * What a Lambda authorizer's policy means for one method ARN: the policy is read strictly (any malformed part
 * makes the whole answer unusable, API Gateway's 500 `AuthorizerConfigurationException`), then evaluated for
 * `execute-api:Invoke` by the twin's one IAM evaluator (`local/iam/evaluate.ts`), the same rules as a function
 * role's: explicit `Deny` wins, then an `Allow`, else an implicit deny.
 * @module
 */
import { type CompiledStatement, type Decision, evaluate, readPolicy } from '../../iam/evaluate';

/** One statement of an authorizer's policy, compiled. */
export type Statement = CompiledStatement;

/** The action API Gateway authorizes a method call as ("Control access for invoking an API"). */
export const INVOKE_ACTION = 'execute-api:Invoke';

/** Parses `policyDocument` (`Statement` one object or a list); a string describes what is wrong. */
export function parseStatements(policyDocument: unknown): Statement[] | string {
  const { statements, issues } = readPolicy(policyDocument, 'policyDocument');
  // A policy variable is taken literally, as the role evaluator does; anything else is a malformed policy.
  const bad = issues.find((i) => i.outcome !== 'literal');
  return bad ? bad.message : statements;
}

/** The decision of an authorizer's policy for one method ARN. */
export function evaluatePolicy(statements: readonly Statement[], methodArn: string): Decision {
  return evaluate({ identity: statements }, INVOKE_ACTION, methodArn);
}
