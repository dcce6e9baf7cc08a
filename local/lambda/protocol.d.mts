/** Types of `protocol.mjs` (see there for what each message means). */

/** What an environment tells the pool (the message's `t`). */
export declare const ToPool: {
  readonly ready: 0;
  readonly log: 1;
  readonly result: 2;
  readonly initError: 3;
  readonly crash: 4;
  readonly twinLog: 5;
};

/** What the twin asks of a child host (the message's `o`). */
export declare const ToHost: {
  readonly start: 0;
  readonly message: 1;
  readonly terminate: 2;
};

/** pool -> environment: one invocation. */
export interface InvokeMessage {
  id: number;
  event: unknown;
  requestId: string;
  /** Epoch ms when the function's timeout is up (`getRemainingTimeInMillis`). */
  deadline: number;
}

/** environment -> pool: an invocation ended. */
export interface ResultMessage {
  readonly t: typeof ToPool.result;
  readonly id: number;
  readonly ok: boolean;
  /** The result as JSON (`ok`), else empty. */
  readonly json: string;
  readonly errorType: string;
  readonly errorMessage: string;
  /** Heap in use, MB (REPORT's Max Memory Used). */
  readonly mem: number;
}

/** environment -> pool. */
export type EnvironmentMessage =
  | { readonly t: typeof ToPool.ready; readonly initMs: number }
  | { readonly t: typeof ToPool.log; readonly line: string }
  | ResultMessage
  | { readonly t: typeof ToPool.initError; readonly errorType: string; readonly errorMessage: string }
  | { readonly t: typeof ToPool.crash; readonly errorType: string; readonly errorMessage: string }
  | { readonly t: typeof ToPool.twinLog; readonly line: string };

/** twin -> child host. */
export type HostRequest =
  | { readonly o: typeof ToHost.start; readonly id: number; readonly url: string; readonly options: unknown }
  | { readonly o: typeof ToHost.message; readonly id: number; readonly m: unknown }
  | { readonly o: typeof ToHost.terminate; readonly id: number };
