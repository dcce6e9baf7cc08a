/**
 * The child process that hosts the execution environments of one runtime under another Node.js (`hosts.ts`):
 * each environment is a worker thread of this process running `bootstrap.mjs`, exactly as in the twin, and this
 * file only relays. Plain JavaScript: it runs under the declared Node with no loader.
 *
 * Over IPC (advanced serialization, so what a worker could be sent can be sent here), the `ToHost` requests of
 * `protocol.mjs` in, and the environments' messages (relayed unchanged), error events and ends out. The child
 * ends when the twin disconnects, however the twin ended.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { ToHost } from './protocol.mjs';

const workers = new Map();
const send = (m) => {
  if (process.connected) process.send(m);
};

function start(id, url, options) {
  const w = new Worker(new URL(url), options);
  workers.set(id, w);
  w.on('message', (m) => send({ id, m }));
  w.on('error', (e) => send({ id, err: { name: e?.name, message: e?.message ?? String(e), code: e?.code } }));
  w.on('exit', (code) => {
    workers.delete(id);
    send({ id, exit: code });
  });
}

process.on('message', (msg) => {
  switch (msg.o) {
    case ToHost.message:
      workers.get(msg.id)?.postMessage(msg.m);
      return;
    case ToHost.start:
      start(msg.id, msg.url, msg.options);
      return;
    case ToHost.terminate:
      void workers.get(msg.id)?.terminate();
      return;
  }
});
process.on('disconnect', () => process.exit(0));
send({ ready: process.version });
