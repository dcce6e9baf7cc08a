import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findAssetDir, functionSpecs } from './functions';
import { loadStack } from './load';
import { readCloudAssembly, selectStack } from './manifest';
import { createResolver } from './resolver';

const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
mkdirSync(join(dir, `asset.${HASH_A}`));
mkdirSync(join(dir, `asset.${HASH_B}`));
writeFileSync(
  join(dir, 'manifest.json'),
  JSON.stringify({
    version: '48.0.0',
    artifacts: {
      'App.assets': { type: 'cdk:asset-manifest', properties: { file: 'App.assets.json' } },
      App: {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: 'App.template.json', stackName: 'MyApp' },
        dependencies: ['App.assets'],
      },
      Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
    },
  }),
);
writeFileSync(
  join(dir, 'App.assets.json'),
  JSON.stringify({
    version: '48.0.0',
    files: {
      [HASH_B]: {
        source: { path: `asset.${HASH_B}`, packaging: 'zip' },
        destinations: { d: { bucketName: 'b', objectKey: `${HASH_B}.zip` } },
      },
    },
  }),
);
writeFileSync(
  join(dir, 'App.template.json'),
  JSON.stringify({
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      WithMeta: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:asset:path': `asset.${HASH_A}` },
        Properties: {
          Handler: 'index.handler',
          Runtime: 'nodejs20.x',
          MemorySize: 512,
          Timeout: 10,
          ReservedConcurrentExecutions: 2,
          Code: { S3Bucket: 'x', S3Key: `${HASH_A}.zip` },
          Environment: { Variables: { TABLE: { Ref: 'Table' }, N: 3 } },
        },
      },
      ByKey: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'main.run',
          Runtime: 'nodejs22.x',
          Code: { S3Bucket: 'x', S3Key: `${HASH_B}.zip` },
        },
      },
      Inline: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'index.handler',
          Runtime: 'nodejs20.x',
          Code: { ZipFile: 'exports.handler=async()=>1' },
          // Names like Object.prototype members: valid ones are variables like any other, `__proto__` is not a
          // name Lambda accepts.
          Environment: {
            Variables: JSON.parse('{"toString":"t","constructor":{"Ref":"Table"},"__proto__":"p","OK":"1"}'),
          },
        },
      },
      Py: {
        Type: 'AWS::Lambda::Function',
        Properties: { Handler: 'x.y', Runtime: 'python3.12', Code: { ZipFile: '' } },
      },
      Lost: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs20.x', Code: { S3Key: 'c.zip' } },
      },
    },
  }),
);

describe('readCloudAssembly', () => {
  it('finds the stack, its name, template and asset manifest', () => {
    const stack = selectStack(readCloudAssembly(dir));
    expect(stack.stackName).toBe('MyApp');
    expect(stack.artifactId).toBe('App');
    expect(Object.keys(stack.template.Resources)).toContain('WithMeta');
    expect(stack.assets?.files?.[HASH_B]).toBeDefined();
    expect(selectStack(readCloudAssembly(dir), 'App').stackName).toBe('MyApp');
  });

  it('says what is wrong with a directory that is not an assembly, or a stack that is not there', () => {
    expect(() => readCloudAssembly(join(dir, `asset.${HASH_A}`))).toThrow(/no manifest.json/);
    expect(() => selectStack(readCloudAssembly(dir), 'Other')).toThrow(/no stack Other .*MyApp/);
  });
});

describe('functionSpecs', () => {
  const stack = selectStack(readCloudAssembly(dir));
  const lines: string[] = [];
  const specs = functionSpecs(stack, createResolver(stack.template, { stackName: stack.stackName }), (l) =>
    lines.push(l),
  );
  const byId = Object.fromEntries(specs.map((s) => [s.logicalId, s]));

  it('reads handler, runtime, memory, timeout, reserved concurrency and resolved variables', () => {
    expect(byId['WithMeta']).toEqual({
      logicalId: 'WithMeta',
      functionName: 'MyApp-WithMeta',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:MyApp-WithMeta',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      memoryMb: 512,
      timeoutSeconds: 10,
      reservedConcurrency: 2,
      environment: { TABLE: 'MyApp-Table', N: '3' },
      codeDir: join(dir, `asset.${HASH_A}`),
    });
  });

  it('finds the asset by S3Key in the asset manifest when metadata is absent, and applies defaults', () => {
    expect(byId['ByKey']).toMatchObject({
      codeDir: join(dir, `asset.${HASH_B}`),
      memoryMb: 128,
      timeoutSeconds: 3,
    });
    expect(byId['ByKey']?.reservedConcurrency).toBeUndefined();
  });

  it('keeps inline code', () => {
    expect(byId['Inline']?.inlineCode).toBe('exports.handler=async()=>1');
  });

  it('keeps variables named like Object.prototype members, and leaves out names Lambda refuses', () => {
    const env = byId['Inline']?.environment ?? {};
    expect(Object.entries(env)).toEqual([
      ['toString', 't'],
      ['constructor', 'MyApp-Table'],
      ['OK', '1'],
    ]);
    expect(lines.some((l) => l.includes('Inline') && l.includes('__proto__'))).toBe(true);
  });

  it('skips non-Node runtimes and missing assets with a warning naming them', () => {
    expect(Object.keys(byId).sort()).toEqual(['ByKey', 'Inline', 'WithMeta']);
    expect(lines.some((l) => l.includes('Py') && l.includes('python3.12'))).toBe(true);
    expect(lines.some((l) => l.includes('Lost') && l.includes('c.zip'))).toBe(true);
  });
});

describe('findAssetDir', () => {
  it.each(['constructor', 'toString', '__proto__'])('finds no asset for an S3Key %s.zip', (name) => {
    const stack = selectStack(readCloudAssembly(dir));
    expect(findAssetDir(stack, undefined, `${name}.zip`)).toEqual({
      reason: `no asset for S3Key ${name}.zip in the asset manifest`,
    });
  });
});

describe('loadStack', () => {
  it('binds the resolver to the stack and resolves functions after attributes were set', () => {
    const { stack, resolver, functions } = loadStack({ assemblyDir: dir, region: 'eu-west-1' });
    expect(stack.stackName).toBe('MyApp');
    expect(resolver.resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    resolver.setAttribute('Fn', 'Arn', 'unused');
    expect(functions().map((f) => f.logicalId)).toEqual(['WithMeta', 'ByKey', 'Inline']);
  });
});
