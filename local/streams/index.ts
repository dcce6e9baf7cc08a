/**
 * Lambda event source mappings on DynamoDB streams, for the offline twin.
 * @module
 */
export type { CheckpointStore, MappingCheckpoint, ShardCheckpoint } from './checkpoints';
export { compareSequenceNumbers, createCheckpointStore } from './checkpoints';
export type { DeadLetterStore, FailureMessageInput } from './dead-letters';
export { createDeadLetterStore, failureMessage } from './dead-letters';
export type { EventSourceMappings, EventSourceMappingsOptions } from './event-source-mappings';
export { startEventSourceMappings } from './event-source-mappings';
export type { FilterPattern, ParsedPattern } from './filter';
export { matchesPattern, parseFilterPattern, passesFilters } from './filter';
export type { MappingResolver, ReadMappings } from './mapping';
export { functionNameOf, readStreamMappings } from './mapping';
export type { Discard, InvocationOutcome, PendingBatch, RetryPolicy, Step } from './plan';
export { afterInvocation, batchLength, expiredCount, judgeInvocation, MAX_PAYLOAD_BYTES } from './plan';
export type { RecordContext, SdkStreamRecord } from './record';
export {
  approximateCreationSeconds,
  epochSeconds,
  toJsonAttributeValue,
  toJsonImage,
  toLambdaRecord,
} from './record';
export type { ShardPoller, ShardPollerOptions, ShardStart } from './shard-poller';
export { startShardPoller } from './shard-poller';
export type { FailureMessage, OnFailureDestination, StreamMappingSpec, StreamRecord } from './types';
