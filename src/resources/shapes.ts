/**
 * The declared resources without their schemas, for the functions that never validate (get, list, delete,
 * history). The stack computes them from the declarations at synth time and bundles them in as
 * `__RESOURCE_SHAPES__` (esbuild `define`), so those functions never load the validator; run from source
 * (tests, tools), they are computed from the declarations here.
 * @module
 */
import { type ResourceShape, shapeOf } from '../core/resource';

declare const __RESOURCE_SHAPES__: string | undefined;

export const shapes: readonly ResourceShape[] =
  typeof __RESOURCE_SHAPES__ === 'string'
    ? JSON.parse(__RESOURCE_SHAPES__)
    : (await import('./index')).resources.map(shapeOf);

/** The shape a request is for, from API Gateway's resource path template (`/items/{id}` is `items`). */
export function shapeFor(resourcePath: string | undefined): ResourceShape | undefined {
  const name = resourcePath?.split('/')[1];
  return shapes.find((r) => r.name === name);
}
