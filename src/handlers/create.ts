/** Lambda entry for the `create` operation of every resource. */
import { createItem } from '../core/items';
import { validatedFor } from '../resources/validated';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('create', createItem, dependencies, validatedFor);
