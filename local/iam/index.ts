/**
 * IAM enforcement for the twin's functions: each function's DynamoDB calls go through a proxy that authorizes
 * them against the function's role from the template, as AWS would. See `README.md` beside this file.
 * @module
 */
export type { ArnContext, Permission } from './actions';
export { DYNAMODB_TARGET_PREFIX, partiqlPermission, requiredPermissions, tableArn } from './actions';
export type { BoundPrincipal, Verdict } from './authorize';
export { authorize, bind } from './authorize';
export { buildIamGuard } from './build-guard';
export type {
  CompiledStatement,
  Decision,
  PolicyDocument,
  PolicyIssue,
  PolicySet,
  PolicyStatement,
  ReadPolicy,
} from './evaluate';
export {
  accessDeniedMessage,
  actionPattern,
  arnSegments,
  compilePolicy,
  evaluate,
  readPolicy,
  resourcePattern,
  statementMatches,
} from './evaluate';
export type { IamGuardConfig } from './guard';
export { awsManagedName, KNOWN_AWS_MANAGED } from './managed';
export type { FunctionPrincipal, PrincipalOptions } from './principals';
export { functionPrincipals } from './principals';
export type { IamProxy, IamProxyOptions, IamProxyStats } from './proxy';
export { startIamProxy } from './proxy';
