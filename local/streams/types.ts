/**
 * The shapes the stream pollers share: a mapping as read from the template, the record Lambda receives, the
 * message an on-failure destination receives.
 * @module
 */
import type { FilterPattern } from './filter';

/** A DynamoDB Streams record as Lambda puts it in `event.Records`. */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    /** Epoch seconds. */
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
  readonly eventSourceARN: string;
  /** Present on deletes made by Time to Live. */
  readonly userIdentity?: { readonly type: string; readonly principalId: string };
}

/** Where failed batches go. */
export interface OnFailureDestination {
  /** The ARN the template gives. */
  readonly arn: string;
  /** The resource it names (`AWS::SQS::Queue`, ...), or a name derived from the ARN when not in the template. */
  readonly logicalId: string;
  readonly type: string;
}

/** One `AWS::Lambda::EventSourceMapping` on a DynamoDB stream, resolved for local use. */
export interface StreamMappingSpec {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly functionArn: string;
  /** The stream ARN as the template resolves it (what `eventSourceARN` carries). */
  readonly eventSourceArn: string;
  /** The table's logical id, when the ARN comes from one of the template's tables. */
  readonly tableLogicalId?: string;
  /** @default 100 */
  readonly batchSize: number;
  /** `MaximumBatchingWindowInSeconds` in ms. @default 0 */
  readonly batchingWindowMs: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** @default false */
  readonly bisectBatchOnFunctionError: boolean;
  /** `Infinity` for -1. @default Infinity */
  readonly maximumRetryAttempts: number;
  /** `Infinity` for -1. @default Infinity */
  readonly maximumRecordAgeSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
  /** The valid patterns, ORed. */
  readonly filters: readonly FilterPattern[];
  /** The template declares filters (when all are invalid, nothing passes). */
  readonly filtersDeclared: boolean;
  readonly onFailure?: OnFailureDestination;
  /** @default true */
  readonly enabled: boolean;
}

/** The message Lambda sends to an SQS or SNS on-failure destination for a DynamoDB stream batch. */
export interface FailureMessage {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}
