/**
 * Matches a request path against a REST API's resource tree: literal path parts win over `{param}`, which wins
 * over `{proxy+}`; a dead end backtracks to the next candidate. Work is proportional to the number of segments.
 * @module
 */
import { dict } from './dict';
import type { Method, RouteNode } from './model';

/** A matched resource and the decoded path parameters. */
export interface RouteMatch {
  readonly node: RouteNode;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** Splits a request path (without the stage) into decoded segments; `undefined` if it cannot be decoded. */
export function splitPath(path: string): string[] | undefined {
  const segs: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    try {
      segs.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return segs;
}

/** Finds the resource for `segments`, or `undefined`. */
export function matchRoute(root: RouteNode, segments: readonly string[]): RouteMatch | undefined {
  const params = dict<string>();
  const node = walk(root, segments, 0, params);
  return node ? { node, pathParameters: params } : undefined;
}

function walk(
  node: RouteNode,
  segs: readonly string[],
  i: number,
  params: Record<string, string>,
): RouteNode | undefined {
  if (i === segs.length) return node;
  const seg = segs[i]!;
  const lit = node.literals.get(seg);
  if (lit) {
    const found = walk(lit, segs, i + 1, params);
    if (found) return found;
  }
  if (node.param) {
    const found = walk(node.param.node, segs, i + 1, params);
    if (found) {
      params[node.param.name] = seg;
      return found;
    }
  }
  if (node.greedy) {
    // `{proxy+}` takes one or more segments: everything that is left.
    params[node.greedy.name] = segs.slice(i).join('/');
    return node.greedy.node;
  }
  return undefined;
}

/** The method of a resource for an HTTP method: the exact one, else `ANY`. */
export function methodFor(node: RouteNode, httpMethod: string): Method | undefined {
  return node.methods.get(httpMethod) ?? node.methods.get('ANY');
}
