/** Lambda entry for the `create` operation of every resource. */
import { createItem } from '../core/items';
import { resourceFor } from '../resources/index';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('create', createItem, dependencies, resourceFor);
