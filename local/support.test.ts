import { describe, expect, it } from 'vitest';
import { unsupportedResources } from './support';

describe('unsupportedResources', () => {
  it('names every resource the twin neither runs nor can ignore', () => {
    const template = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table' },
        Perm: { Type: 'AWS::Lambda::Permission' },
        Topic: { Type: 'AWS::SNS::Topic' },
        Custom: { Type: 'Custom::Thing' },
        Alarm: { Type: 'AWS::CloudWatch::Alarm' },
        Odd: { Type: 'toString' },
      },
    };
    expect(unsupportedResources(template)).toEqual([
      'Topic (AWS::SNS::Topic)',
      'Custom (Custom::Thing)',
      'Odd (toString)',
    ]);
  });
});
