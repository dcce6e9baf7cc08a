/**
 * What the IAM tests share: a principal from policy statements, the test table's ARN, dummy credentials and the
 * message AWS gives for a missing grant.
 * @module
 */
import { compilePolicy } from './policy';
import type { FunctionPrincipal } from './principals';

export const T = 'arn:aws:dynamodb:us-east-1:000000000000:table/Tbl';
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const principal = (
  id: string,
  statements: Record<string, unknown>[],
  enforced = true,
): FunctionPrincipal => ({
  functionLogicalId: id,
  functionName: `S-${id}`,
  roleName: `${id}Role`,
  sessionArn: `arn:aws:sts::000000000000:assumed-role/${id}Role/S-${id}`,
  enforced,
  policies: { identity: compilePolicy({ Statement: statements }, `${id}Policy`) },
});

/** The `Message` of the AccessDeniedException the `Writer` principal gets for `action` on the test table. */
export const denied = (action: string) =>
  `User: arn:aws:sts::000000000000:assumed-role/WriterRole/S-Writer is not authorized to perform: dynamodb:${action} on resource: ${T} because no identity-based policy allows the dynamodb:${action} action`;
