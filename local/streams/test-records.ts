/**
 * Test factories: stream records as Lambda delivers them.
 * @module
 */
import type { StreamRecord } from './types';

/** A record with sequence number `seq`, created at `at` epoch seconds. */
export function streamRecord(
  seq: string,
  over: Partial<StreamRecord> = {},
  at = 1_700_000_000,
): StreamRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: at,
      Keys: { pk: { S: `k${seq}` } },
      NewImage: { pk: { S: `k${seq}` }, _type: { S: 'item' } },
      SequenceNumber: seq,
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
    ...over,
  };
}
