/**
 * What the HTTP front answers to a request node:http cannot parse (a malformed request line or header, an invalid
 * `Content-Length`, headers over its limit, a request that timed out): the answers node:http gives by default
 * (400, 431, 408, with `Connection: close`), plus a line in the twin's log saying why, as for every refusal.
 * @module
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Log } from '../types';

/** The status node:http answers a parse error with. */
export function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * A `clientError` listener for the twin's server.
 * @example
 * server.on('clientError', clientErrorListener(log));
 */
export function clientErrorListener(log: Log): (err: Error & { code?: string }, socket: Duplex) => void {
  return function onClientError(err, socket) {
    const s = socket as Socket;
    // A client that went away has nobody to answer (node:http stays silent too).
    if (err.code === 'ECONNRESET' || !s.writable || s.bytesWritten > 0) {
      s.destroy();
      return;
    }
    const status = clientErrorStatus(err.code);
    log(
      `[gateway] - ${s.remoteAddress ?? '-'} ${status}: unparseable HTTP request (${err.code ?? 'error'}: ${err.message})`,
    );
    s.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
  };
}
