import { describe, expect, it } from 'vitest';
import { createResolver } from '../assembly/resolver';
import type { CfnTemplate } from '../types';
import { functionNameOf, readStreamMappings } from './mapping';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/Api-Table/stream/2026-01-01T00:00:00.000';

const base: CfnTemplate = {
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'Api-Table', StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } },
    },
    Consumer: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'consumer' } },
    HistoryDeadLetters: { Type: 'AWS::SQS::Queue', Properties: {} },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Consumer' },
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 0,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 86400,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['HistoryDeadLetters', 'Arn'] } } },
        FilterCriteria: {
          Filters: [
            { Pattern: '{"dynamodb":{"NewImage":{"_type":{"S":["item"]}}}}' },
            { Pattern: '{"eventName":["REMOVE"],"dynamodb":{"OldImage":{"_type":{"S":["item"]}}}}' },
          ],
        },
      },
    },
  },
};

function read(template: CfnTemplate) {
  const resolver = createResolver(template, { stackName: 'Api' });
  resolver.setAttribute('Table', 'StreamArn', STREAM);
  return readStreamMappings(template, resolver);
}

function withMapping(props: Record<string, unknown>, extra: CfnTemplate['Resources'] = {}): CfnTemplate {
  return {
    Resources: {
      ...base.Resources,
      ...extra,
      Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: props },
    },
  };
}

describe('Function: readStreamMappings', () => {
  it('reads our stack’s mapping: function, table, batching, error handling, filters, destination', () => {
    const { specs, warnings } = read(base);
    expect(warnings).toEqual([]);
    expect(specs).toEqual([
      {
        logicalId: 'Mapping',
        functionLogicalId: 'Consumer',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
        eventSourceArn: STREAM,
        tableLogicalId: 'Table',
        batchSize: 100,
        batchingWindowMs: 0,
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 5,
        maximumRecordAgeSeconds: 86400,
        reportBatchItemFailures: true,
        filters: [
          { dynamodb: { NewImage: { _type: { S: ['item'] } } } },
          { eventName: ['REMOVE'], dynamodb: { OldImage: { _type: { S: ['item'] } } } },
        ],
        filtersDeclared: true,
        onFailure: {
          arn: 'arn:aws:sqs:us-east-1:000000000000:Api-HistoryDeadLetters',
          logicalId: 'HistoryDeadLetters',
          type: 'AWS::SQS::Queue',
        },
        enabled: true,
      },
    ]);
  });

  it('applies the documented defaults', () => {
    const { specs } = read(
      withMapping({ FunctionName: 'consumer', EventSourceArn: STREAM, StartingPosition: 'LATEST' }),
    );
    expect(specs[0]).toMatchObject({
      functionLogicalId: 'Consumer',
      tableLogicalId: 'Table',
      batchSize: 100,
      batchingWindowMs: 0,
      startingPosition: 'LATEST',
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: Number.POSITIVE_INFINITY,
      maximumRecordAgeSeconds: Number.POSITIVE_INFINITY,
      reportBatchItemFailures: false,
      filters: [],
      filtersDeclared: false,
      enabled: true,
    });
    expect(specs[0]?.onFailure).toBeUndefined();
  });

  it('finds the function from its ARN, a qualified ARN or GetAtt Arn', () => {
    for (const fn of [
      'arn:aws:lambda:us-east-1:000000000000:function:consumer',
      'arn:aws:lambda:us-east-1:000000000000:function:consumer:live',
      { 'Fn::GetAtt': ['Consumer', 'Arn'] },
    ]) {
      const { specs } = read(
        withMapping({ FunctionName: fn, EventSourceArn: STREAM, StartingPosition: 'LATEST' }),
      );
      expect(specs[0]?.functionLogicalId).toBe('Consumer');
    }
  });

  it('warns, never throws, about what it cannot honour', () => {
    const { specs, warnings } = read(
      withMapping({
        FunctionName: { Ref: 'Consumer' },
        EventSourceArn: STREAM,
        StartingPosition: 'AT_TIMESTAMP',
        BatchSize: 20000,
        ParallelizationFactor: 4,
        TumblingWindowInSeconds: 30,
        DestinationConfig: { OnFailure: { Destination: { Ref: 'Topic' } } },
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":"INSERT"}' }] },
        Enabled: false,
      }),
    );
    expect(specs[0]).toMatchObject({ batchSize: 10000, startingPosition: 'TRIM_HORIZON', enabled: false });
    expect(specs[0]?.onFailure).toMatchObject({ logicalId: 'Topic', type: 'AWS::SNS::Topic' });
    expect(specs[0]?.filters).toEqual([]);
    expect(specs[0]?.filtersDeclared).toBe(true);
    const text = warnings.join('\n');
    expect(text).toMatch(/Mapping: not emulated locally: ParallelizationFactor, TumblingWindowInSeconds/);
    expect(text).toMatch(/Mapping: StartingPosition "AT_TIMESTAMP"/);
    expect(text).toMatch(/Mapping: BatchSize 20000 is outside 1..10000/);
    expect(text).toMatch(/Mapping: on-failure destination .* is an AWS::SNS::Topic/);
    expect(text).toMatch(/Mapping: FilterCriteria.Filters\[0\] ignored/);
  });

  it('skips mappings on other sources or unknown functions, with a warning', () => {
    const kinesis = read(
      withMapping({
        FunctionName: { Ref: 'Consumer' },
        EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
        StartingPosition: 'LATEST',
      }),
    );
    expect(kinesis.specs).toEqual([]);
    expect(kinesis.warnings[0]).toMatch(/Mapping: event source .* is not a DynamoDB stream \(kinesis\)/);
    const missing = read(
      withMapping({ FunctionName: 'nobody', EventSourceArn: STREAM, StartingPosition: 'LATEST' }),
    );
    expect(missing.specs).toEqual([]);
    expect(missing.warnings[0]).toMatch(/Mapping: FunctionName "nobody" is not a function of this template/);
  });

  it('takes a destination named like an Object.prototype member for one outside the template', () => {
    const { specs, warnings } = read(
      withMapping({
        FunctionName: { Ref: 'Consumer' },
        EventSourceArn: STREAM,
        StartingPosition: 'LATEST',
        DestinationConfig: { OnFailure: { Destination: { Ref: 'constructor' } } },
      }),
    );
    expect(specs[0]?.onFailure).toEqual({ arn: 'constructor', logicalId: 'constructor', type: 'external' });
    expect(warnings.join('\n')).toMatch(/on-failure destination constructor is not in the template/);
  });

  it('leaves out mappings whose Condition is false', () => {
    const t: CfnTemplate = {
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Resources: { ...base.Resources, Mapping: { ...base.Resources['Mapping']!, Condition: 'Never' } },
    };
    expect(read(t).specs).toEqual([]);
  });
});

describe('Function: functionNameOf', () => {
  it('takes the name out of names, ARNs and partial ARNs', () => {
    expect(functionNameOf('consumer')).toBe('consumer');
    expect(functionNameOf('arn:aws:lambda:us-east-1:1:function:consumer:3')).toBe('consumer');
    expect(functionNameOf('1:function:consumer')).toBe('consumer');
  });
});
