/**
 * The registry of declared resources: add a file to this folder and list it here (README, "Adding a
 * resource"). `index.test.ts` fails on a declaration file of this folder that is not listed.
 * @module
 */
import type { Resource } from '../core/resource';
import { items } from './items';
import { notes } from './notes';

export const resources: readonly Resource[] = [items, notes];

/** The resource a request is for, from API Gateway's resource path template (`/items/{id}` is `items`). */
export function resourceFor(resourcePath: string | undefined): Resource | undefined {
  const name = resourcePath?.split('/')[1];
  return resources.find((r) => r.name === name);
}
