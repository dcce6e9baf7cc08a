/**
 * The message protocol between the pool (`pool.ts`), the bootstrap inside each execution environment
 * (`bootstrap.mjs`) and the child-process host that relays for another Node.js (`hosts.ts`, `host-child.mjs`).
 * Plain JavaScript, so the bootstrap and the child host load it under any Node with no loader; the types are in
 * `protocol.d.mts`. Kinds are small numbers (messages are cloned on every invocation), named here once.
 *
 * pool -> environment: `{ id, event, requestId, deadline }` one invocation (the only message that way).
 * environment -> pool, by `t`: see {@link ToPool}.
 * twin -> child host, by `o`: see {@link ToHost}; child host -> twin: `{ ready: version }` once listening,
 * `{ id, m }` a message from an environment (relayed unchanged), `{ id, err: { name, message, code } }` its
 * error event, `{ id, exit: code }` its end.
 * @module
 */

/** What an environment tells the pool (the message's `t`). */
export const ToPool = Object.freeze({
  /** `{ t, initMs }`: the handler's module is loaded; invocations may come. */
  ready: 0,
  /** `{ t, line }`: a line of the function's log. */
  log: 1,
  /** `{ t, id, ok, json | errorType + errorMessage, mem }`: the invocation `id` ended. */
  result: 2,
  /** `{ t, errorType, errorMessage }`: init failed; the environment serves nothing. */
  initError: 3,
  /** `{ t, errorType, errorMessage }`: why the environment is about to exit (uncaught error, rejection). */
  crash: 4,
  /** `{ t, line }`: a line for the twin's own log (from the preloaded module), not the function's. */
  twinLog: 5,
});

/** What the twin asks of a child host (the message's `o`). */
export const ToHost = Object.freeze({
  /** `{ o, id, url, options }`: start an environment running `url` with these worker options. */
  start: 0,
  /** `{ o, id, m }`: a message for environment `id`. */
  message: 1,
  /** `{ o, id }`: terminate environment `id`. */
  terminate: 2,
});
