import { describe, expect, it } from 'vitest';
import { approximateCreationSeconds, epochSeconds, toJsonAttributeValue, toLambdaRecord } from './record';

const ctx = {
  region: 'us-east-1',
  eventSourceArn: 'arn:aws:dynamodb:ddblocal:0:table/t/stream/L',
  observedAtMs: 0,
  live: true,
};

describe('Function: toLambdaRecord', () => {
  it('gives the shape Lambda delivers: region and ARN of the twin, epoch seconds, DynamoDB JSON', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const r = toLambdaRecord(
      {
        eventID: 'id1',
        eventName: 'MODIFY',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: at,
          Keys: { pk: { S: 'a' } },
          NewImage: { pk: { S: 'a' }, n: { N: '5' }, b: { B: new Uint8Array([1, 2, 3]) } },
          OldImage: { pk: { S: 'a' } },
          SequenceNumber: '000000000000000000007',
          SizeBytes: 13,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      { ...ctx, observedAtMs: at.getTime() + 500 },
    );
    expect(r).toEqual({
      eventID: 'id1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(at.getTime() / 1000),
        Keys: { pk: { S: 'a' } },
        NewImage: { pk: { S: 'a' }, n: { N: '5' }, b: { B: 'AQID' } },
        OldImage: { pk: { S: 'a' } },
        SequenceNumber: '000000000000000000007',
        SizeBytes: 13,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: ctx.eventSourceArn,
    });
    expect(Object.keys(r)).toEqual([
      'eventID',
      'eventName',
      'eventVersion',
      'eventSource',
      'awsRegion',
      'dynamodb',
      'eventSourceARN',
    ]);
    expect(structuredClone(r)).toEqual(r);
  });

  it('omits the image a REMOVE does not have, and keeps a TTL delete’s identity in lower case', () => {
    const r = toLambdaRecord(
      {
        eventName: 'REMOVE',
        dynamodb: { Keys: { pk: { S: 'a' } }, OldImage: { pk: { S: 'a' } }, SequenceNumber: '9' },
        userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' },
      },
      { ...ctx, observedAtMs: 1_700_000_000_000 },
    );
    expect(r.dynamodb.NewImage).toBeUndefined();
    expect(r.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});

describe('Function: toJsonAttributeValue', () => {
  it('turns bytes into base64 inside sets, maps and lists', () => {
    expect(
      toJsonAttributeValue({
        M: { l: { L: [{ B: new Uint8Array([255]) }, { BS: [new Uint8Array([0]), new Uint8Array([1])] }] } },
      }),
    ).toEqual({ M: { l: { L: [{ B: '/w==' }, { BS: ['AA==', 'AQ=='] }] } } });
    expect(toJsonAttributeValue({ NULL: true })).toEqual({ NULL: true });
    expect(toJsonAttributeValue({ SS: ['a'] })).toEqual({ SS: ['a'] });
  });
});

describe('Function: epochSeconds', () => {
  it('reads a Date, seconds, milliseconds and numeric strings, rounding down', () => {
    expect(epochSeconds(new Date(1_700_000_000_900))).toBe(1_700_000_000);
    expect(epochSeconds(1_700_000_000.9)).toBe(1_700_000_000);
    expect(epochSeconds(1_700_000_000_900)).toBe(1_700_000_000);
    expect(epochSeconds('1678831218.0')).toBe(1_678_831_218);
    // milliseconds read as seconds by an SDK: a Date thousands of years ahead
    expect(epochSeconds(new Date(1_700_000_000_900 * 1000))).toBe(1_700_000_000);
    expect(epochSeconds('soon')).toBeUndefined();
    expect(epochSeconds(undefined)).toBeUndefined();
  });
});

describe('Function: approximateCreationSeconds', () => {
  it('refines a minute-rounded engine time with the read time when read within that minute', () => {
    const minute = 1_700_000_040; // a multiple of 60
    expect(minute % 60).toBe(0);
    expect(approximateCreationSeconds(minute, (minute + 17) * 1000 + 400, true)).toBe(minute + 17);
  });

  it('keeps the engine time for a backlog (records read long after they were written)', () => {
    expect(approximateCreationSeconds(1_700_000_040, 1_700_000_057_000, false)).toBe(1_700_000_040);
  });

  it('keeps the engine time when it is not minute-rounded or the record is older than that minute', () => {
    expect(approximateCreationSeconds(1_700_000_041, 1_700_000_050_000, true)).toBe(1_700_000_041);
    expect(approximateCreationSeconds(1_700_000_040, 1_700_000_200_000, true)).toBe(1_700_000_040);
  });

  it('uses the read time when the engine gives none', () => {
    expect(approximateCreationSeconds(undefined, 1_700_000_001_999, false)).toBe(1_700_000_001);
  });
});
