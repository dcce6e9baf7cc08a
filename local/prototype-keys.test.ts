/**
 * A source check over every file of `local/` and `src/` (tests aside): names that come from outside (a request's
 * query, header and JSON member names, a template's logical ids and attribute names, authorizer contexts) must
 * never be looked up on, or written into, an object that inherits `Object.prototype`. There `toString` and
 * `constructor` are found in every object and an assigned `__proto__` replaces the prototype instead of being kept.
 *
 * What it flags, line by line (the shapes that have let such names in before):
 * - a plain-object map, `Record<string, ...> = {}` (or `{ [k: string]: ... } = {}`): use `dict()` from
 *   `local/gateway/rest/dict.ts`, `Object.create(null)`, a `Map`, or `Object.fromEntries`;
 * - a presence test with a computed name, `name in obj`: use `Object.hasOwn(obj, name)`;
 * - a `for (const k in obj)` loop, which also walks inherited enumerable members: use `Object.keys`;
 * - `Object.assign({}, ...)`, which assigns, so a copied `__proto__` member replaces the copy's prototype: use a
 *   spread or `Object.fromEntries` (both define members).
 *
 * Reads such as `obj[name]` are too common to flag by shape; each module's tests cover its own (names.test.ts
 * and the `Object.prototype` cases beside each module). A line that is provably not fed by outside names is
 * allow-listed below with the reason; the list is checked too, so an entry whose line is gone must go.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The flagged shapes; `'literal' in x` (a fixed name chosen in the code) is fine. */
const SHAPES: readonly (readonly [string, RegExp])[] = [
  ['plain-object map', /(Record<string,[^=]*>|\{\s*\[\w+: string\]:[^=]*\})\s*=\s*\{\s*\}/],
  [
    '`in` with a computed name',
    /(?<![\w'"`.]|\b(?:const|let|var)\s+|\[\s*)(?!for\b|const\b|let\b)[A-Za-z_$][\w$.]*(\[[^\]]*\])?\s+in\s+[A-Za-z_$]/,
  ],
  ['for...in loop', /\bfor\s*\(\s*(const|let|var)\s+[\w$]+\s+in\s/],
  ['Object.assign into a plain object', /Object\.assign\(\s*\{\s*\}/],
];

/**
 * `file` (from the repository root) and a piece of the line's text, with why its names cannot come from outside.
 * Matching on text, not line numbers, keeps an entry attached to its line as the file changes around it.
 */
const ALLOWED: readonly { file: string; text: string; why: string }[] = [
  {
    file: 'local/gateway/rest/dict.ts',
    text: 'export function dict',
    why: 'the prototype-less map itself (its return type is a Record)',
  },
  {
    file: 'local/assembly/resolver.ts',
    text: 'const out: Record<string, unknown> = {};\n    for (const k of [',
    why: "shallow(): keys are the fixed names 'FunctionName', 'Name', 'StageName'",
  },
  {
    file: 'local/assembly/resolver.ts',
    text: 'const out: Record<string, unknown> = {};\n    for (const k of keys) {',
    why: 'r(): an ordinary object for the template consumers; `__proto__` is defined as data, other names assign',
  },
  {
    file: 'local/assembly/secrets.ts',
    text: 'let values: Record<string, string> = {};',
    why: 'keys are `<stackName>/<logicalId>`: they always hold a `/`, so never name an Object.prototype member',
  },
  {
    file: 'local/streams/checkpoints.ts',
    text: 'let state: Record<string, MappingCheckpoint> = {};',
    why: 'keys are mapping logical ids (alphanumeric, so never `__proto__`); every read checks `.streamArn`',
  },
  {
    file: 'local/redrive/lambda-api.ts',
    text: 'headers: Record<string, string> = {}',
    why: 'a parameter default: the response headers the module sets itself, fixed names',
  },
  {
    file: 'src/handlers/logger.ts',
    text: 'fields: Record<string, unknown> = {}',
    why: "a parameter default: the caller's own log fields, spread into the line (spread defines, never assigns)",
  },
  {
    file: 'src/core/resource.ts',
    text: 'const keyTypes: Record<string, KeyableType> = {};',
    why: 'keys are declared field names, and a name starting with `_` (so `__proto__`) is refused before',
  },
  {
    file: 'src/core/plan.ts',
    text: 'const out: Record<string, unknown> = {};',
    why: 'keys are declared field names; planOf has no plan for a schema declaring `__proto__`',
  },
  {
    file: 'src/core/history.ts',
    text: 'const out: Record<string, unknown> = {};',
    why: 'clientFields(): skips names starting with `_` (so `__proto__`); other names assign as own members',
  },
  {
    file: 'src/handlers/logger.ts',
    text: 'let lambda: Record<string, unknown> = {};',
    why: 'replaced whole by an object literal of fixed keys',
  },
  {
    file: 'local/redrive/api.ts',
    text: 'const headers: Record<string, string> = {};',
    why: 'the signed request headers: names this module and aws4 set (content-type, x-amz-target, authorization)',
  },
  {
    file: 'local/redrive/api.ts',
    text: 'let json: Record<string, unknown> = {};',
    why: 'replaced by the parsed error response; only its fixed members (`__type`, `message`) are read',
  },
  // The store (src/store) reads and writes items: its maps are the store's own concern and were reviewed there.
  {
    file: 'src/store/marshal.ts',
    text: 'for (const k in o) if (o[k] !== undefined) setMember',
    why: 'o is parsed JSON or an item built from it: no inherited enumerable members; setMember defines `__proto__`',
  },
  {
    file: 'src/store/marshal.ts',
    text: 'const out: Record<string, unknown> = {};',
    why: 'written only through setMember, which defines `__proto__` as data',
  },
  {
    file: 'src/store/marshal.ts',
    text: 'for (const k in m) setMember',
    why: 'm is an attribute map parsed from DynamoDB JSON: no inherited enumerable members',
  },
  {
    file: 'src/store/item-store.ts',
    text: 'const data: Record<string, unknown> = {};',
    why: 'filled by the next line, which skips names starting with `_` (so `__proto__`)',
  },
  {
    file: 'src/store/item-store.ts',
    text: "for (const k in o) if (!k.startsWith('_')",
    why: 'o is an unmarshalled item (own members only); names starting with `_` are skipped',
  },
  {
    file: 'src/store/dynamodb.ts',
    text: 'let json: Record<string, unknown> = {};',
    why: 'replaced by the parsed error response; only its fixed members (`__type`, `message`) are read',
  },
];

/** Every `.ts` and `.mjs` file of `local/` and `src/` but tests and test helpers. */
function sources(): string[] {
  return ['local', 'src'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|mjs)$/.test(f) && !/\.test\.ts$|test-(harness|fixtures|records)\.ts$/.test(f))
      .map((f) => `${dir}/${f}`),
  );
}

/** Comments and string contents say nothing about code: blank them out, keeping quotes and line breaks. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, (s) =>
      s.replace(/[^\n]/g, (c, i: number) => (i === 0 || i === s.length - 1 ? c : ' ')),
    );
}

interface Finding {
  readonly at: string;
  readonly shape: string;
  readonly line: string;
}

function findings(file: string): Finding[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const lines = text.split('\n');
  const allowedOffsets = ALLOWED.filter((a) => a.file === file).flatMap((a) => {
    const offsets: number[] = [];
    for (let i = text.indexOf(a.text); i >= 0; i = text.indexOf(a.text, i + 1)) offsets.push(i);
    return offsets.map((o) => text.slice(0, o).split('\n').length - 1);
  });
  return codeOnly(text)
    .split('\n')
    .flatMap((code, i) =>
      SHAPES.filter(([, re]) => re.test(code))
        .filter(() => !allowedOffsets.includes(i))
        .map(([shape]) => ({ at: `${file}:${i + 1}`, shape, line: lines[i]!.trim() })),
    );
}

describe('Source check: names from outside never index an object that inherits', () => {
  it('finds none of those shapes in local/ and src/ outside the allow-list', () => {
    const found = sources().flatMap(findings);
    expect(found).toEqual([]);
  });

  it('keeps no allow-list entry whose line is gone', () => {
    const stale = ALLOWED.filter((a) => !readFileSync(join(ROOT, a.file), 'utf8').includes(a.text));
    expect(stale.map((a) => `${a.file}: ${a.text}`)).toEqual([]);
  });

  it('flags each shape, and not a fixed name or a comment', () => {
    const flagged = (line: string) => SHAPES.filter(([, re]) => re.test(codeOnly(line))).map(([s]) => s);
    expect(flagged('const m: Record<string, string> = {};')).toEqual(['plain-object map']);
    expect(flagged('let m: { [k: string]: number } = {};')).toEqual(['plain-object map']);
    expect(flagged('if (key in input) x();')).toEqual(['`in` with a computed name']);
    expect(flagged('const p = obj !== undefined && a.b in obj;')).toEqual(['`in` with a computed name']);
    expect(flagged('for (const key in input) keys.push(key);')).toEqual(['for...in loop']);
    expect(flagged('const copy = Object.assign({}, body);')).toEqual(['Object.assign into a plain object']);
    expect(flagged("if ('exists' in rule) x();")).toEqual([]);
    expect(flagged('type Flags = { readonly [K in Keys]: boolean };')).toEqual([]);
    expect(flagged('for (const k of Object.keys(o)) x(k);')).toEqual([]);
    expect(flagged('// a map filled in {} order: key in obj')).toEqual([]);
    expect(flagged("log('the name in the token is not known');")).toEqual([]);
    expect(relative(ROOT, join(ROOT, 'local'))).toBe('local');
  });
});
