/**
 * The IAM check inside a Lambda environment: the same authorization as the proxy (`authorize.ts`), run in the
 * environment's own thread, so an allowed call goes straight to the engine instead of through the twin's main
 * thread.
 *
 * Why: every call through the proxy crosses threads twice more (environment -> main thread -> engine and
 * back), and on a small machine those wake-ups are most of the proxy's cost: GET at concurrency 16 served 401
 * req/s through the proxy and 655 with no IAM check at all (`npm run bench:cpu`, 2 vCPUs).
 *
 * How: the function's `AWS_ENDPOINT_URL_DYNAMODB` still names the proxy (`http://<proxy>/fn/<id>`). The guard
 * replaces `http.Agent.prototype.createConnection` for that one address: the socket a client gets is an
 * in-memory stream that frames each HTTP request (request line, headers, `Content-Length` body), authorizes
 * it, and then either writes it unchanged to its own connection to the engine or answers with DynamoDB's
 * `AccessDeniedException`. The engine's answers are passed back byte for byte. AWS SDK v3, aws-lite, our
 * client and anything else that connects through an `http.Agent` (the global one included) takes this path.
 * Everything else still reaches the proxy, which answers the same way: a client with its own transport
 * (`fetch`), a request without `Content-Length` (the rest of that connection is relayed to the proxy), a
 * request for another function's path.
 *
 * Built into a single file by the twin at start (`buildIamGuard`) and loaded by the environment's bootstrap
 * before the handler's module.
 * @module
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { EnvironmentPlugin } from '../types';
import type { ArnContext } from './actions';
import { authorize, type BoundPrincipal, bind } from './authorize';
import type { FunctionPrincipal } from './principals';

/** What one environment's guard needs (structured-cloneable: it travels in the worker's `workerData`). */
export interface IamGuardConfig extends EnvironmentPlugin {
  /** File URL of the built guard module (`buildIamGuard`). */
  readonly module: string;
  /** The proxy's address: connections to it are the ones checked here. */
  readonly proxy: { readonly host: string; readonly port: number };
  /** Where allowed calls go. */
  readonly engine: { readonly host: string; readonly port: number };
  readonly principal: FunctionPrincipal;
  readonly ctx: ArnContext;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** Longest request head read before giving up and relaying the connection to the proxy. */
const MAX_HEAD = 64 * 1024;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i;
const CHUNKED = /\r\ntransfer-encoding:/i;
const TARGET = /\r\nx-amz-target:[ \t]*([^\r]*?)[ \t]*\r\n/i;

/** Framing and authorization shared by every checked connection of the environment. */
interface Context {
  readonly cfg: IamGuardConfig;
  readonly bound: BoundPrincipal;
  /** The request line's path prefix of this function (`/fn/<id>`). */
  readonly ownPath: string;
  readonly log: (line: string) => void;
  readonly warnOnce: (key: string, line: string) => void;
}

/**
 * A client's socket to the proxy address, served in-process. Requests on a keep-alive connection come one at
 * a time (HTTP/1.1 clients here do not pipeline), so answers from either upstream keep their order.
 */
class GuardedSocket extends Duplex {
  private pending: Buffer = Buffer.alloc(0);
  private readonly engine: Socket;
  /** Once set, every further byte of the connection goes to the proxy unread. */
  private relay: Socket | undefined;
  private timeoutMs = 0;
  /** `net.Socket` has it; http's agent compares it before calling setTimeout. */
  timeout = 0;

  constructor(private readonly c: Context) {
    super({ allowHalfOpen: false });
    this.engine = this.upstream(c.cfg.engine);
  }

  private upstream(to: { host: string; port: number }): Socket {
    const s = connect({ host: to.host, port: to.port, noDelay: true });
    s.on('data', (d: Buffer) => this.push(d));
    s.on('end', () => this.push(null));
    s.on('error', (e) => this.destroy(e));
    s.on('close', () => this.destroy());
    s.on('timeout', () => this.emit('timeout'));
    if (this.timeoutMs) s.setTimeout(this.timeoutMs);
    return s;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.relay) {
      this.relay.write(chunk, cb);
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.frame();
    cb();
  }

  /** Takes every complete request out of `pending`. */
  private frame(): void {
    for (;;) {
      const end = this.pending.indexOf(HEAD_END);
      if (end < 0) {
        if (this.pending.length > MAX_HEAD) this.toProxy();
        return;
      }
      const head = this.pending.toString('latin1', 0, end + 2);
      const length = CONTENT_LENGTH.exec(head);
      const path = head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
      const own = path === this.c.ownPath || path.startsWith(`${this.c.ownPath}/`);
      if (!length || CHUNKED.test(head) || !own) {
        this.toProxy();
        return;
      }
      const total = end + 4 + Number(length[1]);
      if (this.pending.length < total) return;
      const request = this.pending.subarray(0, total);
      this.pending = this.pending.subarray(total);
      this.check(head, request.subarray(end + 4), request);
    }
  }

  private check(head: string, body: Buffer, request: Buffer): void {
    const v = authorize(this.c.bound, TARGET.exec(head)?.[1] ?? '', body.toString('utf8'), this.c.cfg.ctx);
    if (v.allowed) {
      if (v.warn) this.c.warnOnce(v.warn.key, v.warn.line);
      this.engine.write(request);
      return;
    }
    this.c.log(v.line);
    const text = JSON.stringify(v.body);
    const answer = `HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: ${Buffer.byteLength(text)}\r\nx-amzn-requestid: ${randomUUID()}\r\nconnection: keep-alive\r\n\r\n${text}`;
    // Not from inside the client's own write: the answer arrives as the engine's would, on a later tick.
    process.nextTick(() => this.push(answer));
  }

  /** From here on the connection is the proxy's: it answers what the guard cannot frame. */
  private toProxy(): void {
    this.relay = this.upstream(this.c.cfg.proxy);
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length) this.relay.write(rest);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.engine.end();
    this.relay?.end();
    cb();
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    this.engine.destroy();
    this.relay?.destroy();
    cb(e);
  }

  // The parts of net.Socket that http's client and agent call.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  ref(): this {
    this.engine.ref();
    this.relay?.ref();
    return this;
  }
  unref(): this {
    this.engine.unref();
    this.relay?.unref();
    return this;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.timeoutMs = ms;
    this.timeout = ms;
    if (cb) {
      if (ms) this.once('timeout', cb);
      else this.off('timeout', cb);
    }
    this.engine.setTimeout(ms);
    this.relay?.setTimeout(ms);
    return this;
  }
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }
  get remoteAddress(): string | undefined {
    return this.engine.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.engine.remotePort;
  }
  get localAddress(): string | undefined {
    return this.engine.localAddress;
  }
  get localPort(): number | undefined {
    return this.engine.localPort;
  }
}

/**
 * Installs the guard in this thread; returns a function that removes it.
 * @example
 * const off = install(workerData.iamGuard, (line) => port.postMessage({ t: 5, line }));
 */
export function install(cfg: IamGuardConfig, log: (line: string) => void): () => void {
  const warned = new Set<string>();
  const c: Context = {
    cfg,
    bound: bind(cfg.principal),
    ownPath: `/fn/${encodeURIComponent(cfg.principal.functionLogicalId)}`,
    log,
    warnOnce: (key, line) => {
      if (warned.has(key)) return;
      warned.add(key);
      log(line);
    },
  };
  const proto = http.Agent.prototype as unknown as {
    createConnection: (opts: { host?: string; port?: number | string }, cb?: unknown) => unknown;
  };
  const original = proto.createConnection;
  const hosts = new Set([cfg.proxy.host, ...(cfg.proxy.host === '127.0.0.1' ? ['localhost'] : [])]);
  proto.createConnection = function createConnection(this: unknown, opts, cb) {
    if (Number(opts.port) === cfg.proxy.port && hosts.has(opts.host ?? 'localhost'))
      return new GuardedSocket(c);
    return original.call(this, opts, cb);
  };
  return () => {
    proto.createConnection = original;
  };
}
