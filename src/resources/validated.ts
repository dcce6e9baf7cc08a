/**
 * The resources as the functions that write (create, replace, patch) validate them. When every declaration has
 * a plan (`src/core/plan.ts`), the stack bundles `__RESOURCE_PLANS_COMPLETE__` and these functions take the
 * shapes, plans included, from `__RESOURCE_SHAPES__`: they never load zod (about 10 ms of cold start).
 * Otherwise, and when run from source, they take the declarations themselves (which carry their plans too).
 * @module
 */
import type { ResourceShape } from '../core/resource';
import type { Validatable } from '../core/validation';
import { shapeFor } from './shapes';

declare const __RESOURCE_PLANS_COMPLETE__: string | undefined;

export const validatedFor: (resourcePath: string | undefined) => (ResourceShape & Validatable) | undefined =
  typeof __RESOURCE_PLANS_COMPLETE__ === 'string' ? shapeFor : (await import('./index')).resourceFor;
