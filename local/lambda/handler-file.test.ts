import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateHandler } from './handler-file';

const root = mkdtempSync(join(tmpdir(), 'handler-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'lib'));
writeFileSync(join(root, 'index.mjs'), '');
writeFileSync(join(root, 'lib', 'app.cjs'), '');
writeFileSync(join(root, 'both.js'), '');
writeFileSync(join(root, 'both.mjs'), '');

describe('locateHandler', () => {
  it('finds .mjs, .cjs in sub-folders, and prefers .js', () => {
    expect(locateHandler(root, 'index.handler')).toEqual({
      file: join(root, 'index.mjs'),
      exportPath: ['handler'],
    });
    expect(locateHandler(root, 'lib/app.api.main')).toEqual({
      file: join(root, 'lib', 'app.cjs'),
      exportPath: ['api', 'main'],
    });
    expect(locateHandler(root, 'both.h')).toEqual({ file: join(root, 'both.js'), exportPath: ['h'] });
  });

  it('names a missing module as Lambda does', () => {
    expect(locateHandler(root, 'lib/nope.handler')).toEqual({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module 'lib/nope'",
    });
  });

  it('rejects a handler without an export', () => {
    expect(locateHandler(root, 'index')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
    expect(locateHandler(root, 'index.')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
  });
});
