/**
 * The code that runs inside one Lambda execution environment (a worker thread): it patches console and
 * stdout/stderr into Lambda-style log lines, loads the handler module, then serves one invocation at a time.
 *
 * It speaks `protocol.mjs` with the pool: one message in per invocation, and `ToPool` messages out (a crash
 * message comes right before the environment exits; `twinLog` lines come from the preloaded module,
 * `workerData.preload`, installed before the handler's module loads: the twin's IAM check).
 * @module
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { ToPool } from './protocol.mjs';

const t0 = performance.now();
const port = parentPort;
const wd = workerData;
const require = createRequire(wd.file);
const MB = 1024 * 1024;

let requestId = 'undefined'; // what Lambda prints outside an invocation
let currentId = -1;
let deadline = 0;

const post = (line) => port.postMessage({ t: ToPool.log, line });

function patchLogs() {
  const emit = (level) =>
    function lambdaConsole(...args) {
      post(`${new Date().toISOString()}\t${requestId}\t${level}\t${format(...args)}`);
    };
  console.log = emit('INFO');
  console.info = emit('INFO');
  console.warn = emit('WARN');
  console.error = emit('ERROR');
  console.debug = emit('DEBUG');
  console.trace = function trace(...args) {
    const e = { name: 'Trace', message: format(...args) };
    Error.captureStackTrace(e, trace);
    post(`${new Date().toISOString()}\t${requestId}\tTRACE\t${e.stack}`);
  };
  for (const stream of [process.stdout, process.stderr]) {
    let buf = '';
    stream.write = function write(chunk, enc, cb) {
      buf += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        post(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(done);
      return true;
    };
    stream.flushPartial = () => {
      if (buf) post(buf);
      buf = '';
    };
  }
}

/** `{ errorType, errorMessage, stack }` as the Node.js runtime reports errors. */
function errorInfo(e) {
  if (e instanceof Error) {
    return { errorType: e.name || 'Error', errorMessage: e.message, stack: e.stack ?? '' };
  }
  return { errorType: typeof e, errorMessage: String(e), stack: '' };
}

function crash(info) {
  port.postMessage({ t: ToPool.crash, errorType: info.errorType, errorMessage: info.errorMessage });
}

process.on('uncaughtException', (e) => {
  const info = errorInfo(e);
  post(`${new Date().toISOString()}\t${requestId}\tERROR\tUncaught Exception \t${JSON.stringify(info)}`);
  crash(info);
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  const msg = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const info = { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: msg };
  post(
    `${new Date().toISOString()}\t${requestId}\tERROR\tUnhandled Promise Rejection \t${JSON.stringify(info)}`,
  );
  crash(info);
  process.exit(128);
});

async function loadModule(file) {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    return require(file);
  } catch (e) {
    if (e?.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw e;
  }
}

// As Lambda's runtime words it (quoted in public issue threads, see local/lambda/README.md).
const CALLBACK_HANDLER_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/**
 * The export at `path`, through own members only: a handler named `index.toString` or `index.handler.call` is a
 * member every module or function inherits, never one the code exports (see local/lambda/README.md).
 */
function pick(mod, path) {
  let h = mod;
  for (const k of path) h = h != null && Object.hasOwn(Object(h), k) ? h[k] : undefined;
  return h;
}

async function loadHandler() {
  let mod;
  try {
    mod = await loadModule(wd.file);
  } catch (e) {
    const info = errorInfo(e);
    if (e instanceof SyntaxError)
      return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: `${e.name}: ${e.message}` };
    if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
      return { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: ${e.message.split('\n')[0]}` };
    }
    return info;
  }
  // An ESM import of a CommonJS file exposes module.exports as `default`.
  const h = pick(mod, wd.exportPath) ?? pick(mod?.default, wd.exportPath);
  if (typeof h !== 'function') {
    return {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${wd.handlerName} is undefined or not exported`,
    };
  }
  // Lambda's Node.js 24 and later runtimes refuse a handler that takes a callback (3+ parameters) at init.
  const major = Number(/nodejs(\d+)\.x$/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 0);
  if (h.length >= 3 && major >= 24) {
    return { errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: CALLBACK_HANDLER_REMOVED };
  }
  return h;
}

patchLogs();
if (wd.hooks) register(wd.hooks, { data: { fallbackParent: wd.fallbackParent } });
if (wd.preload) {
  const twinLog = (line) => port.postMessage({ t: ToPool.twinLog, line });
  try {
    const { install } = await import(wd.preload.module);
    install(wd.preload, twinLog);
  } catch (e) {
    twinLog(
      `warning: ${wd.functionName}: ${wd.preload.module} did not load (${e?.message ?? e}); running without it`,
    );
  }
}
const handler = await loadHandler();
if (typeof handler !== 'function') {
  port.postMessage({ t: ToPool.initError, errorType: handler.errorType, errorMessage: handler.errorMessage });
} else {
  const usesCallback = handler.length >= 3;
  let warnedSync = false;

  const finishMessage = {
    t: ToPool.result,
    id: 0,
    ok: true,
    json: '',
    errorType: '',
    errorMessage: '',
    mem: 0,
  };

  const send = (id, ok, json, errorType, errorMessage) => {
    process.stdout.flushPartial();
    process.stderr.flushPartial();
    const h = getHeapStatistics();
    finishMessage.id = id;
    finishMessage.ok = ok;
    finishMessage.json = json;
    finishMessage.errorType = errorType;
    finishMessage.errorMessage = errorMessage;
    finishMessage.mem = Math.ceil((h.total_heap_size + h.external_memory) / MB);
    port.postMessage(finishMessage);
    requestId = 'undefined';
    currentId = -1;
  };

  const fail = (id, e) => {
    const info = errorInfo(e);
    const trace = info.stack ? info.stack.split('\n') : [];
    post(
      `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: info.errorType, errorMessage: info.errorMessage, stack: trace })}`,
    );
    send(id, false, '', info.errorType, info.errorMessage);
  };

  const succeed = (id, value) => {
    let json;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      fail(id, e);
      return;
    }
    send(id, true, json === undefined ? 'null' : json, '', '');
  };

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: wd.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: wd.functionArn,
    memoryLimitInMB: String(wd.memoryMb),
    awsRequestId: '',
    logGroupName: wd.logGroupName,
    logStreamName: wd.logStreamName,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };

  port.on('message', function invoke(m) {
    const id = m.id;
    currentId = id;
    requestId = m.requestId;
    deadline = m.deadline;
    let settled = false;
    const done = (err, value) => {
      // Only the first outcome counts, and only for the invocation still in flight.
      if (settled || currentId !== id) return;
      settled = true;
      if (err !== null && err !== undefined) fail(id, err);
      else succeed(id, value);
    };
    // A fresh context per invocation (the handler may keep or mutate it), sharing the method.
    const ctx = {
      ...context,
      awsRequestId: m.requestId,
      done,
      succeed: (v) => done(null, v),
      fail: (e) => done(e ?? new Error('failed')),
    };
    let r;
    try {
      r = handler(m.event, ctx, done);
    } catch (e) {
      done(e);
      return;
    }
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      r.then(
        (v) => done(null, v),
        (e) => done(e ?? new Error('Promise rejected without a reason')),
      );
    } else if (!usesCallback) {
      // Lambda ignores a non-Promise return value of a handler without a callback and answers null once the
      // event loop is empty; we answer null now.
      if (!warnedSync) {
        warnedSync = true;
        post(
          `${new Date().toISOString()}\t${requestId}\tWARN\t[twin] the handler returned a non-Promise and takes no callback: Lambda answers null`,
        );
      }
      done(null, null);
    }
  });
  port.postMessage({ t: ToPool.ready, initMs: performance.now() - t0 });
}
