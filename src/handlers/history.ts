/** Lambda entry for `GET /{resource}/{id}/history` of every resource. */
import { listHistory } from '../core/items';
import { shapeFor } from '../resources/shapes';
import { httpHandler } from './http-adapter';
import { dependencies } from './wiring';

export const handler = httpHandler('history', listHistory, dependencies, shapeFor);
