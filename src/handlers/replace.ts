/** Lambda entry for the `replace` operation of every resource. */
import { replaceItem } from '../core/items';
import { resourceFor } from '../resources/index';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('replace', replaceItem, dependencies, resourceFor);
