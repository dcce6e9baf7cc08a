/**
 * Which CloudFormation resource types the twin runs, which it reads but that need nothing locally, and a
 * warning for every other resource of a template (the twin never crashes on one).
 * @module
 */
import type { CfnTemplate } from './types';

/** Types some part of the twin emulates. */
export const EMULATED: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'created in the engine (keys, GSIs, LSIs, stream, TTL)',
  'AWS::DynamoDB::GlobalTable': 'created in the engine as a single-region table',
  'AWS::Lambda::Function': 'run in worker-thread execution environments',
  'AWS::Lambda::EventSourceMapping': 'DynamoDB stream sources polled and delivered',
  'AWS::ApiGateway::RestApi': 'served over HTTP',
  'AWS::ApiGateway::Resource': 'routes',
  'AWS::ApiGateway::Method': 'AWS_PROXY and MOCK integrations',
  'AWS::ApiGateway::Deployment': 'stage',
  'AWS::ApiGateway::Stage': 'base path, variables, method throttling',
  'AWS::ApiGateway::Authorizer': 'TOKEN and REQUEST Lambda authorizers',
  'AWS::ApiGateway::ApiKey': 'x-api-key',
  'AWS::ApiGateway::UsagePlan': 'throttling and quotas',
  'AWS::ApiGateway::UsagePlanKey': 'key to plan',
  'AWS::ApiGateway::GatewayResponse': "the gateway's own error responses",
  'AWS::IAM::Role': "functions' DynamoDB calls checked against their role",
  'AWS::IAM::Policy': "functions' DynamoDB calls checked against their role",
  'AWS::SecretsManager::Secret': 'generated values for {{resolve:secretsmanager:...}}',
  'AWS::SQS::Queue': 'as an on-failure destination: failed batches kept under DATA_DIR',
};

/** Types with nothing to run locally: read, and silently left alone. */
export const NOTHING_TO_DO: ReadonlySet<string> = new Set([
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::CDK::Metadata',
  'AWS::ApiGateway::Account',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Model',
  // Monitoring of the deployed stack: no metric reaches them locally, and the twin's log shows the same failures.
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
]);

/** The resources of a template the twin does not emulate: `logicalId (Type)`. */
export function unsupportedResources(template: CfnTemplate): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => !Object.hasOwn(EMULATED, r.Type) && !NOTHING_TO_DO.has(r.Type))
    .map(([id, r]) => `${id} (${r.Type})`);
}
