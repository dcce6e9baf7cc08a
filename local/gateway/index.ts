/**
 * The API Gateway REST API (v1) front of the offline twin. See README.md for what is emulated and what is not.
 * @module
 */

export { clientErrorListener } from './client-error';
export type { Gateway, GatewayOptions, RouteInfo, StageInfo } from './gateway';
export { ACCOUNT_THROTTLE, createGateway, MAX_BODY_BYTES } from './gateway';
