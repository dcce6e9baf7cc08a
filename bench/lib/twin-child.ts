/**
 * The twin under test, in its own process so that its RSS can be read without the bench's own memory (and
 * without DynamoDB Local's JVM, a separate process). Started by {@link startBenchTwin}; talks over IPC.
 *
 * Logs are parsed as they arrive and kept as compact records until the bench drains them after each load:
 * the handlers' `request` lines (operation, status, duration, consumed capacity) and the platform REPORT lines
 * (duration, billed duration, init duration).
 * @module
 */
import { startTwin, type Twin } from '../../local/twin';

export interface RequestRecord {
  readonly fn: string;
  readonly operation: string;
  readonly status: number;
  readonly durationMs: number;
  readonly capacity: number;
}

export interface ReportRecord {
  readonly fn: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly initMs?: number;
}

const dataDir = process.argv[2];
if (!dataDir || !process.send) throw new Error('usage: node --import tsx twin-child.ts <dataDir> (with IPC)');
const send = (m: unknown) => process.send?.(m);

let requests: RequestRecord[] = [];
let reports: ReportRecord[] = [];
const LINE = /^\[([^\]]+)\] (.*)$/;
const REPORT =
  /^REPORT RequestId: \S+\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms.*?(?:Init Duration: ([\d.]+) ms)?/;

function onLog(line: string): void {
  const m = LINE.exec(line);
  if (!m) return;
  const [, fn, text] = m as unknown as [string, string, string];
  if (text.startsWith('{') && text.includes('"message":"request"')) {
    try {
      const j = JSON.parse(text);
      requests.push({
        fn,
        operation: j.operation,
        status: j.status,
        durationMs: j.durationMs,
        capacity: j.consumedCapacity,
      });
    } catch {
      // not one of our lines
    }
    return;
  }
  const r = REPORT.exec(text);
  if (r) {
    reports.push({
      fn,
      durationMs: Number(r[1]),
      billedMs: Number(r[2]),
      ...(r[3] ? { initMs: Number(r[3]) } : {}),
    });
  }
}

let twin: Twin | undefined;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await twin?.stop().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.on('disconnect', () => void stop(0));

process.on('message', async (m: { id: number; type: string; sub?: string; tenant?: string }) => {
  try {
    if (!twin) throw new Error('twin not started');
    if (m.type === 'token') {
      send({ id: m.id, token: await twin.token({ sub: m.sub ?? 'bench', tenant: m.tenant ?? 'bench' }) });
    } else if (m.type === 'drain') {
      send({ id: m.id, requests, reports });
      requests = [];
      reports = [];
    } else if (m.type === 'stats') {
      send({ id: m.id, stats: twin.lambda.stats() });
    } else if (m.type === 'stop') {
      send({ id: m.id });
      await stop(0);
    }
  } catch (e) {
    send({ id: m.id, error: (e as Error).message });
  }
});

try {
  twin = await startTwin({
    port: 0,
    dataDir,
    inMemory: true,
    // The usage plan throttles at 50 rps (burst 100) by default: raise it so the bench measures the twin.
    context: { throttleRate: 1_000_000, throttleBurst: 1_000_000, quotaLimit: 2_000_000_000 },
    log: onLog,
  });
  send({
    type: 'ready',
    url: twin.url,
    apiKey: twin.apiKey,
    engineEndpoint: twin.engineEndpoint,
    origin: new URL(twin.url).origin,
  });
} catch (e) {
  send({ type: 'error', message: (e as Error).stack ?? String(e) });
  await stop(1);
}
