/** Lambda entry for the `delete` operation of every resource. */
import { deleteItem } from '../core/writes';
import { shapeFor } from '../resources/shapes';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('delete', deleteItem, dependencies, shapeFor);
