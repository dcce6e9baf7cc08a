/**
 * A persisted twin in its own process, for tests that kill the whole twin (SIGKILL) and start it again on the
 * same data dir. Talks over IPC: `ready` (url, apiKey, the engine's pid), then `token`, `idle` and `stop`.
 * @module
 */
import { startTwin, type Twin } from '../../local/twin';

const dataDir = process.argv[2];
if (!dataDir || !process.send)
  throw new Error('usage: node --import tsx twin-process.ts <dataDir> (with IPC)');
const send = (m: unknown) => process.send?.(m);

let twin: Twin | undefined;
process.on('disconnect', () => void twin?.stop().finally(() => process.exit(0)));
process.on('message', async (m: { id: number; type: string; sub?: string; tenant?: string }) => {
  try {
    if (!twin) throw new Error('twin not started');
    if (m.type === 'token')
      send({ id: m.id, token: await twin.token({ sub: m.sub ?? 't', tenant: m.tenant ?? 't' }) });
    else if (m.type === 'idle') {
      await twin.streams.idle({ timeoutMs: 60_000 });
      send({ id: m.id });
    } else if (m.type === 'stop') {
      await twin.stop();
      send({ id: m.id });
      process.exit(0);
    }
  } catch (e) {
    send({ id: m.id, error: (e as Error).message });
  }
});

try {
  twin = await startTwin({ port: 0, dataDir, context: { throttleRate: 100_000, throttleBurst: 100_000 } });
  send({ type: 'ready', url: twin.url, apiKey: twin.apiKey, enginePid: twin.engine.pid() });
} catch (e) {
  send({ type: 'error', message: (e as Error).stack ?? String(e) });
  process.exit(1);
}
