/** Lambda entry for the `patch` operation of every resource. */
import { patchItem } from '../core/writes';
import { validatedFor } from '../resources/validated';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('patch', patchItem, dependencies, validatedFor);
