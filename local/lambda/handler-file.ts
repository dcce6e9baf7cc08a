/**
 * Finds the module and export a Lambda `Handler` string names, as the Node.js runtime does: `dir/file.export`
 * (or `file.nested.export`) -> `<taskRoot>/dir/file` with `.js`, `.mjs` or `.cjs`, then the export path.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type HandlerLocation =
  | { readonly file: string; readonly exportPath: readonly string[] }
  | {
      readonly errorType: 'Runtime.ImportModuleError' | 'Runtime.MalformedHandlerName';
      readonly errorMessage: string;
    };

export function locateHandler(taskRoot: string, handler: string): HandlerLocation {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const rest = handler.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    return { errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' };
  }
  const moduleName = rest.slice(0, dot);
  const exportPath = rest.slice(dot + 1).split('.');
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = join(taskRoot, dir, moduleName + ext);
    if (existsSync(file)) return { file, exportPath };
  }
  return {
    errorType: 'Runtime.ImportModuleError',
    errorMessage: `Error: Cannot find module '${dir}${moduleName}'`,
  };
}
