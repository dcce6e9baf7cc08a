/** Lambda entry for the `replace` operation of every resource. */
import { replaceItem } from '../core/writes';
import { validatedFor } from '../resources/validated';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('replace', replaceItem, dependencies, validatedFor);
