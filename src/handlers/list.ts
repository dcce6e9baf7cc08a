/** Lambda entry for the `list` operation of every resource. */
import { listItems } from '../core/items';
import { shapeFor } from '../resources/shapes';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('list', listItems, dependencies, shapeFor);
