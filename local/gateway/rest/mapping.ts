/**
 * Parameter mapping expressions shared by integration responses, gateway responses and identity sources:
 * `'static'`, `method.request.header.X`, `method.request.querystring.X`, `method.request.path.X`,
 * `stageVariables.X`, `context.X`.
 * @module
 */

/** A parsed mapping expression. */
export type MappingSource =
  | { readonly kind: 'static'; readonly value: string }
  | { readonly kind: 'header' | 'querystring' | 'path' | 'stageVariable' | 'context'; readonly name: string };

const PREFIXES: readonly [string, Exclude<MappingSource['kind'], 'static'>][] = [
  ['method.request.header.', 'header'],
  ['method.request.querystring.', 'querystring'],
  ['method.request.path.', 'path'],
  ['stageVariables.', 'stageVariable'],
  ['context.', 'context'],
];

/** Parses a mapping expression; `undefined` when it is none of the supported forms. */
export function parseMapping(expr: string): MappingSource | undefined {
  const e = expr.trim();
  if (e.length >= 2 && e.startsWith("'") && e.endsWith("'")) return { kind: 'static', value: e.slice(1, -1) };
  for (const [prefix, kind] of PREFIXES) {
    if (e.startsWith(prefix) && e.length > prefix.length) return { kind, name: e.slice(prefix.length) };
  }
  return undefined;
}

/** Lookups a mapping expression reads from. */
export interface MappingInputs {
  readonly header: (name: string) => string | undefined;
  readonly querystring: (name: string) => string | undefined;
  readonly path: (name: string) => string | undefined;
  readonly stageVariable: (name: string) => string | undefined;
  readonly context?: (name: string) => string | undefined;
}

/** Evaluates a mapping expression; `undefined` when it names nothing present. */
export function evalMapping(expr: string, inp: MappingInputs): string | undefined {
  const m = parseMapping(expr);
  if (!m) return undefined;
  switch (m.kind) {
    case 'static':
      return m.value;
    case 'header':
      return inp.header(m.name);
    case 'querystring':
      return inp.querystring(m.name);
    case 'path':
      return inp.path(m.name);
    case 'stageVariable':
      return inp.stageVariable(m.name);
    case 'context':
      return inp.context?.(m.name);
  }
}
