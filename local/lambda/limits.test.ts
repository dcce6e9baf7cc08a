/**
 * Lambda's synchronous response limit, as Lambda counts it: the result's JSON in UTF-8, over 6,291,556 bytes
 * (the number Lambda's own error message gives) fails with `Function.ResponseSizeTooLarge`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../types';
import { createLambdaRuntime } from './runtime';

const dir = mkdtempSync(join(tmpdir(), 'lambda-limits-'));
writeFileSync(join(dir, 'index.mjs'), `export const handler = async (e) => e.char.repeat(e.n);`);
const spec: FunctionSpec = {
  logicalId: 'Big',
  functionName: 'Test-Big',
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Test-Big',
  handler: 'index.handler',
  runtime: 'nodejs20.x',
  memoryMb: 256,
  timeoutSeconds: 10,
  environment: {},
  codeDir: dir,
};
const rt = createLambdaRuntime({ functions: [spec], platformLines: false, defaultConcurrency: 1 });
afterAll(async () => {
  await rt.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Lambda runtime: response payload limit', () => {
  it('accepts a result whose JSON is exactly 6,291,556 bytes and refuses one byte more', async () => {
    // A string result's JSON is the string plus its two quotes.
    const ok = await rt.invoke('Big', { char: 'a', n: 6_291_554 });
    expect(ok.ok).toBe(true);
    expect(await rt.invoke('Big', { char: 'a', n: 6_291_555 })).toEqual({
      ok: false,
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const r = await rt.invoke('Big', { char: 'é', n: 3_200_000 });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.errorType).toBe('Function.ResponseSizeTooLarge');
  });
});
