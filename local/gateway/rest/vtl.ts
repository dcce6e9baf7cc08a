/**
 * A very small subset of Velocity (VTL), enough for MOCK integrations: `#set`, `#if`/`#elseif`/`#else`/`#end`,
 * `==`, `!=`, `&&`, `||`, `!`, string/number/boolean literals, variables, `$input.params()...get("X")`,
 * `$input.params("X")`, `$context.*`, `$stageVariables.*` and `$context.responseOverride.*` assignments. This
 * covers the CORS preflight template CDK generates for several origins. Anything else is left as text.
 * @module
 */
import { dict, own } from './dict';

/** What a template can read, and where `#set($context.responseOverride...)` writes. */
export interface VtlInputs {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly path: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

/** The rendered output and the response overrides the template set. */
export interface VtlResult {
  readonly output: string;
  readonly statusOverride?: number;
  readonly headerOverrides: Readonly<Record<string, string>>;
}

type Node =
  | { t: 'text'; s: string }
  | { t: 'set'; target: string; expr: string }
  | { t: 'if'; branches: { cond: string; body: Node[] }[]; otherwise: Node[] };

/** Reads `(...)` starting at `s[i] === '('`, honouring quotes and nesting; returns the inside and the index after. */
function readParens(s: string, i: number): [string, number] | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let j = i; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return [s.slice(i + 1, j), j + 1];
    }
  }
  return undefined;
}

function parse(src: string): Node[] {
  const root: Node[] = [];
  const stack: { nodes: Node[]; ifNode?: Extract<Node, { t: 'if' }> }[] = [{ nodes: root }];
  const cur = () => stack[stack.length - 1]!.nodes;
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) cur().push({ t: 'text', s: text });
    text = '';
  };
  // A directive alone on its line swallows its indentation and line break, as Velocity does.
  const trimLine = (end: number): number => {
    const lineStart = text.lastIndexOf('\n') + 1;
    if (/^[ \t]*$/.test(text.slice(lineStart))) {
      const m = src.slice(end).match(/^[ \t]*(\r?\n|$)/);
      if (m) {
        text = text.slice(0, lineStart);
        return end + m[0].length;
      }
    }
    return end;
  };
  while (i < src.length) {
    const m = src.slice(i).match(/^#(set|if|elseif|else|end)\b/);
    if (!m) {
      text += src[i];
      i++;
      continue;
    }
    const kw = m[1]!;
    let end = i + m[0].length;
    let arg = '';
    if (kw === 'set' || kw === 'if' || kw === 'elseif') {
      const ws = src.slice(end).match(/^\s*/)![0].length;
      const p = readParens(src, end + ws);
      if (!p) {
        text += src[i];
        i++;
        continue;
      }
      [arg, end] = p;
    }
    end = trimLine(end);
    flush();
    if (kw === 'set') {
      const eq = arg.indexOf('=');
      if (eq > 0 && arg[eq + 1] !== '=')
        cur().push({ t: 'set', target: arg.slice(0, eq).trim(), expr: arg.slice(eq + 1).trim() });
    } else if (kw === 'if') {
      const node: Extract<Node, { t: 'if' }> = {
        t: 'if',
        branches: [{ cond: arg, body: [] }],
        otherwise: [],
      };
      cur().push(node);
      stack.push({ nodes: node.branches[0]!.body, ifNode: node });
    } else if (kw === 'elseif' || kw === 'else') {
      const top = stack[stack.length - 1]!;
      if (top.ifNode && stack.length > 1) {
        stack.pop();
        const nodes: Node[] = [];
        if (kw === 'elseif') top.ifNode.branches.push({ cond: arg, body: nodes });
        else top.ifNode.otherwise = nodes;
        stack.push({ nodes: kw === 'else' ? top.ifNode.otherwise : nodes, ifNode: top.ifNode });
      }
    } else if (stack.length > 1) {
      stack.pop();
    }
    i = end;
  }
  flush();
  return root;
}

type Tok =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'op'; v: string }
  | { k: 'ref'; v: string };

function tokenize(e: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < e.length) {
    const c = e[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < e.length && e[j] !== c) {
        if (e[j] === '\\' && j + 1 < e.length) j++;
        s += e[j];
        j++;
      }
      out.push({ k: 'str', v: s });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = e.slice(i).match(/^\d+(\.\d+)?/)!;
      out.push({ k: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (c === '$') {
      // A reference: $name(.member | (args))*, optionally ${...} or $!...
      let j = i + 1;
      if (e[j] === '!') j++;
      const braced = e[j] === '{';
      if (braced) j++;
      const start = j;
      while (j < e.length) {
        if (/[A-Za-z0-9_.-]/.test(e[j]!)) j++;
        else if (e[j] === '(') {
          const p = readParens(e, j);
          if (!p) break;
          j = p[1];
        } else break;
      }
      let ref = e.slice(start, j);
      if (braced && e[j] === '}') j++;
      ref = ref.replace(/[.-]+$/, '');
      out.push({ k: 'ref', v: ref });
      i = j;
    } else {
      const two = e.slice(i, i + 2);
      if (['==', '!=', '&&', '||'].includes(two)) {
        out.push({ k: 'op', v: two });
        i += 2;
      } else {
        const word = e.slice(i).match(/^(true|false|null|and|or|not|eq|ne)\b/);
        if (word) {
          const map: Record<string, string> = { and: '&&', or: '||', not: '!', eq: '==', ne: '!=' };
          const w = word[1]!;
          if (w === 'true' || w === 'false') out.push({ k: 'num', v: w === 'true' ? 1 : 0 });
          else if (w === 'null') out.push({ k: 'str', v: '\u0000null' });
          else out.push({ k: 'op', v: map[w]! });
          i += w.length;
        } else {
          out.push({ k: 'op', v: c });
          i++;
        }
      }
    }
  }
  return out;
}

class Evaluator {
  readonly vars = new Map<string, unknown>();
  statusOverride: number | undefined;
  readonly headerOverrides = dict<string>();

  constructor(private readonly inp: VtlInputs) {}

  /** Resolves a reference like `input.params().header.get("Origin")`; `undefined` when unknown. */
  ref(r: string): unknown {
    // Split into head and member/call steps.
    const steps: ({ name: string } | { call: string })[] = [];
    let i = 0;
    let name = '';
    while (i < r.length) {
      const c = r[i]!;
      if (c === '.') {
        if (name) steps.push({ name });
        name = '';
        i++;
      } else if (c === '(') {
        const p = readParens(r, i)!;
        if (name) steps.push({ name });
        name = '';
        steps.push({ call: p[0] });
        i = p[1];
      } else {
        name += c;
        i++;
      }
    }
    if (name) steps.push({ name });
    const head = steps.shift();
    if (!head || !('name' in head)) return undefined;
    let v: unknown;
    if (head.name === 'input') v = { __input: true };
    else if (head.name === 'context') v = this.inp.context;
    else if (head.name === 'stageVariables') v = this.inp.stageVariables;
    else v = this.vars.get(head.name);
    let pendingName: string | undefined;
    for (const s of steps) {
      if ('name' in s) {
        if (pendingName !== undefined) v = member(v, pendingName);
        pendingName = s.name;
        continue;
      }
      const args = s.call.trim() === '' ? [] : [this.expr(s.call)];
      v = this.call(v, pendingName ?? '', args);
      pendingName = undefined;
    }
    if (pendingName !== undefined) v = member(v, pendingName);
    return v;
  }

  private call(target: unknown, method: string, args: unknown[]): unknown {
    const isInput = typeof target === 'object' && target !== null && '__input' in target;
    if (isInput && method === 'params') {
      if (args.length === 0)
        return { header: this.inp.headers, querystring: this.inp.query, path: this.inp.path };
      const k = String(args[0]);
      return own(this.inp.path, k) ?? own(this.inp.query, k) ?? own(this.inp.headers, k) ?? '';
    }
    if (method === 'get' && typeof target === 'object' && target !== null) {
      return own(target as Record<string, unknown>, String(args[0])) ?? null;
    }
    return undefined;
  }

  expr(e: string): unknown {
    const toks = tokenize(e);
    let pos = 0;
    const peek = () => toks[pos];
    const primary = (): unknown => {
      const t = toks[pos++];
      if (!t) return undefined;
      if (t.k === 'str') return t.v === '\u0000null' ? null : t.v;
      if (t.k === 'num') return t.v;
      if (t.k === 'ref') return this.ref(t.v);
      if (t.v === '(') {
        const v = or();
        if (peek()?.v === ')') pos++;
        return v;
      }
      if (t.v === '!') return !truthy(primary());
      return undefined;
    };
    const cmp = (): unknown => {
      const a = primary();
      const op = peek();
      if (op?.k === 'op' && (op.v === '==' || op.v === '!=')) {
        pos++;
        const b = primary();
        return op.v === '==' ? same(a, b) : !same(a, b);
      }
      return a;
    };
    const and = (): unknown => {
      let v = cmp();
      while (peek()?.k === 'op' && peek()?.v === '&&') {
        pos++;
        const r = cmp();
        v = truthy(v) && truthy(r);
      }
      return v;
    };
    const or = (): unknown => {
      let v = and();
      while (peek()?.k === 'op' && peek()?.v === '||') {
        pos++;
        const r = and();
        v = truthy(v) || truthy(r);
      }
      return v;
    };
    return or();
  }

  assign(target: string, value: unknown): void {
    const t = target.replace(/^\$!?\{?/, '').replace(/\}$/, '');
    const hm = t.match(/^context\.responseOverride\.header\.(.+)$/);
    if (hm) {
      this.headerOverrides[hm[1]!] = value === null || value === undefined ? '' : String(value);
      return;
    }
    if (t === 'context.responseOverride.status') {
      const n = Number(value);
      if (Number.isInteger(n)) this.statusOverride = n;
      return;
    }
    if (/^[A-Za-z_][\w]*$/.test(t)) this.vars.set(t, value);
  }

  render(nodes: readonly Node[]): string {
    let out = '';
    for (const n of nodes) {
      if (n.t === 'text') out += this.text(n.s);
      else if (n.t === 'set') this.assign(n.target, this.expr(n.expr));
      else {
        const branch = n.branches.find((b) => truthy(this.expr(b.cond)));
        out += this.render(branch ? branch.body : n.otherwise);
      }
    }
    return out;
  }

  /** Substitutes simple references in text; unknown ones stay as written (`$!x` renders empty). */
  private text(s: string): string {
    return s.replace(
      /\$(!?)(\{)?([A-Za-z_][\w]*(?:\.[A-Za-z_][\w-]*)*)(\})?/g,
      (whole, quiet: string, open, ref: string, close) => {
        if (Boolean(open) !== Boolean(close)) return whole;
        const v = this.ref(ref);
        if (v === undefined || v === null || typeof v === 'object') return quiet ? '' : whole;
        return String(v);
      },
    );
  }
}

/** A member of a map the template reads; never one inherited from `Object.prototype`. */
function member(v: unknown, name: string): unknown {
  if (typeof v === 'object' && v !== null) return own(v as Record<string, unknown>, name);
  return undefined;
}

function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== 0;
}

/** Velocity `==`: string comparison of the values; a missing value equals the empty string. */
function same(a: unknown, b: unknown): boolean {
  const norm = (x: unknown) => (x === undefined || x === null ? '' : typeof x === 'number' ? String(x) : x);
  return norm(a) === norm(b);
}

/** Renders a template. */
export function renderVtl(template: string, inputs: VtlInputs): VtlResult {
  const ev = new Evaluator(inputs);
  const output = ev.render(parse(template));
  return {
    output,
    ...(ev.statusOverride !== undefined ? { statusOverride: ev.statusOverride } : {}),
    headerOverrides: ev.headerOverrides,
  };
}
