/**
 * cdk-nag (v3, AwsSolutions pack) registration and the findings we accept, each on the narrowest construct and,
 * where the rule reports parameters, with the finding's full id. They live in the stack's code path so that a
 * user's `npm run synth` sees exactly what the tests see.
 * @module
 */
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Runs the AwsSolutions pack on the whole app at synth time; an unacknowledged error fails the synth. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** The constructs that carry accepted findings. */
export interface NagTargets {
  readonly stack: Stack;
  readonly api: apigw.RestApi;
  /** Roles allowed to `dynamodb:Query` on `<table>/index/*`. */
  readonly queryRoles: readonly iam.IRole[];
  /** The `Fn::GetAtt` name of the table as cdk-nag prints it, e.g. `<Table.Arn>`. */
  readonly tableArnToken: string;
  readonly cursorSecret: secretsmanager.ISecret;
  /** The data methods (all use the Lambda JWT authorizer). */
  readonly dataMethods: readonly IConstruct[];
  readonly wafEnabled: boolean;
  /** The history consumer's role (it reads the table's stream). */
  readonly streamConsumerRole: IConstruct;
  /** The queue that receives stream batches the consumer keeps failing. */
  readonly deadLetterQueue: IConstruct;
}

/** Acknowledges the findings this design accepts, with the reason a reviewer needs. */
export function acknowledgeNagFindings(t: NagTargets): void {
  // The account-level role API Gateway uses to write execution logs: its only policy is the AWS managed
  // AmazonAPIGatewayPushToCloudWatchLogs, which AWS documents for exactly this role and keeps current.
  const cwRole = t.api.node.tryFindChild('CloudWatchRole');
  if (cwRole) {
    Validations.of(cwRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'API Gateway execution logging needs the account-level CloudWatch role; AWS documents this managed policy for it and it only allows writing logs.',
    });
  }

  // Query on the table's indexes: `dynamodb:Query` is the only action granted there, and every index of the
  // table is derived from the resource declarations (filters and sorts), so naming each one would only repeat
  // `indexesFor(resources)` and break on every new filter field.
  for (const role of t.queryRoles) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${t.tableArnToken}/index/*]`,
      reason:
        'Only dynamodb:Query is granted on <table>/index/*; the indexes are all derived from the resource declarations and all serve list queries.',
    });
  }

  // `dynamodb:ListStreams` has no resource-level permissions (IAM requires "*"); the event source mapping's
  // grant adds it next to the stream-scoped DescribeStream/GetRecords/GetShardIterator.
  Validations.of(t.streamConsumerRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only dynamodb:ListStreams is granted on "*": that action supports no resource-level permission; reading the stream itself is scoped to the table\'s stream ARN.',
  });
  Validations.of(t.deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the on-failure destination of the history consumer (failed stream batches land here for inspection and redrive); a DLQ of a DLQ would only hide them.',
  });

  Validations.of(t.cursorSecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'HMAC key for pagination cursors, injected at deploy time (no runtime fetch); rotating it only invalidates open cursors, so it is rotated by redeploying with a new secret when needed.',
  });

  for (const m of t.dataMethods) {
    Validations.of(m).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Every data method uses a Lambda REQUEST authorizer that verifies JWTs from any OIDC issuer (Cognito included) plus an API key; a Cognito-only authorizer would tie the API to one IdP.',
    });
  }

  Validations.of(t.api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'Bodies are validated by the functions against the same zod schema that defines the resource, returning RFC 9457 problem+json with a JSON Pointer per field; a gateway model would be a second, drifting copy with worse errors.',
  });
  if (!t.wafEnabled) {
    Validations.of(t.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF is optional (wafEnabled, default off: a web ACL costs at least $5/month plus $1 per rule); stage and per-key throttling and quotas already limit abuse.',
    });
  }
}
