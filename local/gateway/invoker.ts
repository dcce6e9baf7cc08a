/**
 * Calls a function for the gateway with its own deadline (an integration's or an authorizer's timeout), which
 * is API Gateway's, not the function's: the call is abandoned, not stopped. Protocol-neutral: REST, HTTP and
 * WebSocket APIs invoke the same way.
 * @module
 */
import type { Invoke, InvokeResult, Log } from '../types';

/** The answer of a call the gateway stopped waiting for. */
export const TIMED_OUT = Symbol('timed out');

/** Invokes functions with a deadline; {@link Invoker.close} cancels the pending deadlines. */
export interface Invoker {
  /** Never rejects: a throw or rejection of `invoke` is a `ServiceException` result (the Lambda API failed). */
  call(fn: string, event: unknown, ms: number): Promise<InvokeResult | typeof TIMED_OUT>;
  close(): void;
}

/** An {@link Invoker} over the twin's `invoke`. */
export function createInvoker(invoke: Invoke, log: Log): Invoker {
  const timers = new Set<NodeJS.Timeout>();
  const failed = (fn: string, e: unknown): InvokeResult => {
    log(`[gateway] invoking ${fn} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { ok: false, errorType: 'ServiceException', errorMessage: String(e) };
  };
  async function call(fn: string, event: unknown, ms: number): Promise<InvokeResult | typeof TIMED_OUT> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ms);
      timers.add(timer);
    });
    try {
      let pending: Promise<InvokeResult>;
      try {
        pending = invoke(fn, event).catch((e: unknown) => failed(fn, e));
      } catch (e) {
        pending = Promise.resolve(failed(fn, e));
      }
      return await Promise.race([pending, timeout]);
    } finally {
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
    }
  }
  return {
    call,
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
