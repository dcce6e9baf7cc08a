/** Lambda entry for the `get` operation of every resource. */
import { getItem } from '../core/items';
import { shapeFor } from '../resources/shapes';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('get', getItem, dependencies, shapeFor);
