/**
 * AWS managed policies the twin recognises, reduced to their DynamoDB statements (an approximation: only what
 * decides DynamoDB calls is kept; their other services' statements do not matter here). An AWS managed policy
 * not listed grants nothing locally, with a warning naming it.
 * @module
 */
import type { PolicyDocument } from './evaluate';

type Doc = PolicyDocument;

const STREAM_READ = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
const none: Doc = { Statement: [] };
const allDynamoDB: Doc = { Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] };

/**
 * By policy name (the part of the ARN after `policy/`, path included). A `Map`: the name comes from the
 * template, and `toString` or `__proto__` must be an unknown policy, not a property.
 */
export const KNOWN_AWS_MANAGED: ReadonlyMap<string, Doc> = new Map(
  Object.entries({
    AdministratorAccess: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    PowerUserAccess: allDynamoDB,
    AmazonDynamoDBFullAccess: allDynamoDB,
    AmazonDynamoDBFullAccess_v2: allDynamoDB,
    AmazonDynamoDBFullAccesswithDataPipeline: allDynamoDB,
    AmazonDynamoDBReadOnlyAccess: {
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:BatchGetItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:Describe*',
            'dynamodb:Get*',
            'dynamodb:List*',
            'dynamodb:PartiQLSelect',
            'dynamodb:Query',
            'dynamodb:Scan',
          ],
          Resource: '*',
        },
      ],
    },
    'service-role/AWSLambdaDynamoDBExecutionRole': {
      Statement: [{ Effect: 'Allow', Action: STREAM_READ, Resource: '*' }],
    },
    'service-role/AWSLambdaInvocation-DynamoDB': {
      Statement: [{ Effect: 'Allow', Action: STREAM_READ, Resource: '*' }],
    },
    // No DynamoDB statements: logs, VPC networking, X-Ray.
    'service-role/AWSLambdaBasicExecutionRole': none,
    'service-role/AWSLambdaVPCAccessExecutionRole': none,
    'service-role/AWSLambdaENIManagementAccess': none,
    AWSXRayDaemonWriteAccess: none,
    AWSXrayWriteOnlyAccess: none,
    CloudWatchLambdaInsightsExecutionRolePolicy: none,
  } satisfies Record<string, Doc>),
);

/** `arn:<partition>:iam::aws:policy/<name>` -> `<name>`, or undefined for a customer managed policy ARN. */
export function awsManagedName(arn: string): string | undefined {
  const m = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn);
  return m?.[1];
}
