import { describe, expect, it } from 'vitest';
import type { RouteNode } from './model';
import { matchRoute, splitPath } from './router';

const node = (path: string): RouteNode => ({
  resource: { logicalId: path, resourceId: path, path },
  literals: new Map(),
  methods: new Map(),
});

function tree() {
  const root = node('/');
  const items = node('/items');
  const item = node('/items/{id}');
  const special = node('/items/special');
  const proxy = node('/{proxy+}');
  root.literals.set('items', items);
  items.param = { name: 'id', node: item };
  items.literals.set('special', special);
  root.greedy = { name: 'proxy', node: proxy };
  return root;
}

describe('Function: matchRoute', () => {
  it('prefers literals over parameters over greedy parameters', () => {
    const root = tree();
    expect(matchRoute(root, ['items', 'special'])?.node.resource.path).toBe('/items/special');
    expect(matchRoute(root, ['items', '7'])).toMatchObject({
      node: { resource: { path: '/items/{id}' } },
      pathParameters: { id: '7' },
    });
  });

  it('backtracks to {proxy+} when a deeper path has no resource', () => {
    const m = matchRoute(tree(), ['items', '7', 'extra']);
    expect(m?.node.resource.path).toBe('/{proxy+}');
    expect(m?.pathParameters).toEqual({ proxy: 'items/7/extra' });
  });

  it('matches the root for no segments and nothing for an unknown path without a greedy resource', () => {
    expect(matchRoute(tree(), [])?.node.resource.path).toBe('/');
    expect(matchRoute(node('/'), ['x'])).toBeUndefined();
  });
});

describe('Function: splitPath', () => {
  it('decodes segments and drops empty ones', () => {
    expect(splitPath('/a%20b//c/')).toEqual(['a b', 'c']);
    expect(splitPath('/%E0%A4%A')).toBeUndefined();
  });
});
