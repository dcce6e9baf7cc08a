/**
 * Local physical ids, names and attributes of template resources: what `Ref` and `Fn::GetAtt` give on the twin.
 *
 * CloudFormation invents names like `<stack>-<logicalId>-<RANDOM>`; locally they must be stable across restarts
 * (tables persist under the data dir), so every generated name or id is derived from the stack name and the
 * logical id only: `<stackName>-<logicalId>` for named things, a short hash for API Gateway-style ids. An explicit
 * name property (`TableName`, `FunctionName`, `QueueName`, ...) always wins.
 *
 * Emulated: the `Ref` value and the common `Fn::GetAtt` attributes of the types listed in {@link SUPPORTED_TYPES}.
 * Not emulated: attributes only a deployed service knows (custom resource outputs, `Endpoint.Address`, ...): they
 * give a placeholder string and the caller warns.
 * @module
 */
import { createHash } from 'node:crypto';

/** The account-wide values a physical id is built from. */
export interface PhysicalContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** A resource's local identity: its `Ref` value and its attributes. `undefined` attribute = unknown here. */
export interface PhysicalResource {
  readonly ref: unknown;
  attr(name: string): unknown;
}

/** Resource types whose `Ref` and main attributes the twin knows. Others get a generic name and a warning. */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set([
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Lambda::Alias',
  'AWS::Lambda::Version',
  'AWS::Lambda::EventSourceMapping',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::Events::Rule',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::Account',
  'AWS::CDK::Metadata',
]);

/** A stable lowercase alphanumeric id of `len` characters derived from `seed` (API Gateway ids look like this). */
export function shortId(seed: string, len: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${hex}`).toString(36).slice(0, len).padStart(len, '0');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The local identity of one resource. `name` is the resolved explicit name property, if any (the caller resolves
 * it, because it may itself hold intrinsics).
 */
export function physicalResource(
  type: string,
  logicalId: string,
  name: unknown,
  props: Readonly<Record<string, unknown>>,
  ctx: PhysicalContext,
): PhysicalResource {
  const { stackName, region, accountId: acct, partition: p, urlSuffix } = ctx;
  const seed = `${stackName}/${logicalId}`;
  const dflt = str(name) ?? `${stackName}-${logicalId}`;
  const arn = (service: string, resource: string, withRegion = true) =>
    `arn:${p}:${service}:${withRegion ? region : ''}:${acct}:${resource}`;
  const attrs = (ref: unknown, map: Record<string, unknown>): PhysicalResource => ({
    ref,
    // Own members only: an attribute named `toString` is not one the twin knows.
    attr: (a) => (Object.hasOwn(map, a) ? map[a] : undefined),
  });
  switch (type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const tableArn = arn('dynamodb', `table/${dflt}`);
      return attrs(dflt, {
        Arn: tableArn,
        // The real label is the stream's creation time; the engine overrides this once the table exists.
        StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000`,
        TableId: shortId(seed, 32),
      });
    }
    case 'AWS::Lambda::Function': {
      const fnArn = arn('lambda', `function:${dflt}`);
      return attrs(dflt, { Arn: fnArn });
    }
    case 'AWS::Lambda::Alias':
    case 'AWS::Lambda::Version': {
      const v = type === 'AWS::Lambda::Alias' ? (str(props['Name']) ?? logicalId) : '1';
      const fn = str(props['FunctionName']) ?? 'unknown';
      const full = fn.startsWith('arn:') ? `${fn}:${v}` : arn('lambda', `function:${fn}:${v}`);
      return attrs(full, { Version: v, FunctionArn: full, AliasArn: full });
    }
    case 'AWS::Lambda::EventSourceMapping': {
      const h = shortId(seed, 32);
      const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
      return attrs(uuid, { Id: uuid, EventSourceMappingArn: arn('lambda', `event-source-mapping:${uuid}`) });
    }
    case 'AWS::IAM::Role': {
      const path = str(props['Path']) ?? '/';
      return attrs(dflt, {
        Arn: arn('iam', `role${path}${dflt}`, false),
        RoleId: `AROA${shortId(seed, 17).toUpperCase()}`,
      });
    }
    case 'AWS::IAM::ManagedPolicy': {
      const n = str(props['ManagedPolicyName']) ?? dflt;
      const policyArn = arn('iam', `policy/${n}`, false);
      return attrs(policyArn, { PolicyArn: policyArn });
    }
    case 'AWS::SQS::Queue': {
      let n = dflt;
      if (props['FifoQueue'] === true && !n.endsWith('.fifo')) n += '.fifo';
      const url = `https://sqs.${region}.${urlSuffix}/${acct}/${n}`;
      return attrs(url, { Arn: arn('sqs', n), QueueName: n, QueueUrl: url });
    }
    case 'AWS::SNS::Topic': {
      const t = arn('sns', dflt);
      return attrs(t, { TopicArn: t, TopicName: dflt });
    }
    case 'AWS::SecretsManager::Secret': {
      const s = arn('secretsmanager', `secret:${dflt}-${shortId(seed, 6)}`);
      return attrs(s, { Id: s, Name: dflt });
    }
    case 'AWS::KMS::Key': {
      const h = shortId(seed, 32);
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
      return attrs(id, { Arn: arn('kms', `key/${id}`), KeyId: id });
    }
    case 'AWS::Logs::LogGroup':
      return attrs(dflt, { Arn: arn('logs', `log-group:${dflt}:*`) });
    case 'AWS::S3::Bucket': {
      const b = (str(name) ?? `${stackName}-${logicalId}`).toLowerCase();
      return attrs(b, {
        Arn: `arn:${p}:s3:::${b}`,
        DomainName: `${b}.s3.${urlSuffix}`,
        RegionalDomainName: `${b}.s3.${region}.${urlSuffix}`,
        WebsiteURL: `http://${b}.s3-website-${region}.${urlSuffix}`,
      });
    }
    case 'AWS::Events::Rule':
      return attrs(dflt, { Arn: arn('events', `rule/${dflt}`) });
    case 'AWS::ApiGateway::RestApi': {
      const id = shortId(seed, 10);
      return attrs(id, { RestApiId: id, RootResourceId: shortId(`${seed}/root`, 10) });
    }
    case 'AWS::ApiGateway::Stage':
      return attrs(str(props['StageName']) ?? logicalId, {});
    case 'AWS::ApiGateway::ApiKey': {
      const id = shortId(seed, 10);
      return attrs(id, { APIKeyId: id });
    }
    case 'AWS::ApiGateway::Model':
      return attrs(str(props['Name']) ?? logicalId, {});
    case 'AWS::ApiGateway::Resource':
    case 'AWS::ApiGateway::Method':
    case 'AWS::ApiGateway::Deployment':
    case 'AWS::ApiGateway::Authorizer':
    case 'AWS::ApiGateway::UsagePlan':
    case 'AWS::ApiGateway::UsagePlanKey':
    case 'AWS::ApiGateway::GatewayResponse':
    case 'AWS::ApiGateway::RequestValidator':
    case 'AWS::ApiGateway::Account':
    case 'AWS::Lambda::Permission':
    case 'AWS::IAM::Policy': {
      const id = shortId(seed, 6);
      return attrs(id, {
        ResourceId: id,
        DeploymentId: id,
        AuthorizerId: id,
        RequestValidatorId: id,
        Id: id,
      });
    }
    default: {
      // Generic: a name, and an ARN built from the type (`AWS::Service::Thing` -> `arn:aws:service:...:thing/name`).
      const [, service = 'unknown', kind = 'resource'] = type.split('::');
      return attrs(dflt, { Arn: arn(service.toLowerCase(), `${kind.toLowerCase()}/${dflt}`) });
    }
  }
}

/** The property holding a resource type's explicit physical name, when it has one. */
export const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Events::Rule': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
};
