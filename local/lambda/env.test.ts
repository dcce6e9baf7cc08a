import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../types';
import { lambdaEnvironment, logStreamName } from './env';

const spec: FunctionSpec = {
  logicalId: 'Fn',
  functionName: 'App-Fn',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:App-Fn',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  memoryMb: 512,
  timeoutSeconds: 3,
  environment: { TABLE: 't', AWS_REGION: 'eu-west-3', NODE_PATH: '/opt/own' },
  codeDir: '/code',
};

describe('lambdaEnvironment', () => {
  const env = lambdaEnvironment(spec, {
    taskRoot: '/code',
    logStreamName: 's',
    region: 'us-west-2',
    endpoints: { dynamodb: 'http://127.0.0.1:1' },
    runtimeNodeModules: '/twin/node_modules',
  });

  it('keeps the function variables and adds the defined runtime variables', () => {
    expect(env).toMatchObject({
      TABLE: 't',
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: 'App-Fn',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/App-Fn',
      AWS_LAMBDA_LOG_STREAM_NAME: 's',
      LAMBDA_TASK_ROOT: '/code',
      TZ: ':UTC',
    });
  });

  it('does not let the function override reserved variables', () => {
    expect(env['AWS_REGION']).toBe('us-west-2');
    expect(env['AWS_DEFAULT_REGION']).toBe('us-west-2');
  });

  it('points both DynamoDB endpoints at the engine and appends the twin node_modules to NODE_PATH', () => {
    expect(env['AWS_ENDPOINT_URL_DYNAMODB']).toBe('http://127.0.0.1:1');
    expect(env['AWS_ENDPOINT_URL_DYNAMODB_STREAMS']).toBe('http://127.0.0.1:1');
    expect(env['NODE_PATH']).toBe('/opt/own:/twin/node_modules');
  });

  it('sets no endpoint when none is given', () => {
    const bare = lambdaEnvironment(spec, { taskRoot: '/code', logStreamName: 's' });
    expect(bare['AWS_ENDPOINT_URL_DYNAMODB']).toBeUndefined();
    expect(bare['AWS_REGION']).toBe('us-east-1');
  });
});

describe('logStreamName', () => {
  it('has Lambda shape', () => {
    expect(logStreamName(new Date('2026-03-04T05:06:07Z'), 'ab'.repeat(16))).toBe(
      `2026/03/04/[$LATEST]${'ab'.repeat(16)}`,
    );
  });
});

describe('lambdaEnvironment: variable names', () => {
  it('keeps variables named like Object.prototype members as plain variables', () => {
    const environment = JSON.parse('{"__proto__":"p","toString":"t","constructor":"c","hasOwnProperty":"h"}');
    const env = lambdaEnvironment({ ...spec, environment }, { taskRoot: '/code', logStreamName: 's' });
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    for (const [k, v] of Object.entries(environment))
      expect(Object.getOwnPropertyDescriptor(env, k)?.value).toBe(v);
    expect(env['NODE_PATH']).toBeUndefined();
  });
});
