/**
 * The offline twin's development identity provider: a local JWT issuer and its JWKS.
 * @module
 */

export type { IssuerAlg, Jwks, LocalIssuer, LocalIssuerOptions, SignOptions } from './issuer';
export { createLocalIssuer, JWKS_PATH, jwksHandler, KEY_FILE } from './issuer';
