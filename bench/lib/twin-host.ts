/**
 * The bench's handle on the twin child process (see `twin-child.ts`).
 * @module
 */
import { join } from 'node:path';
import { BENCH_DIR, rpc, rssMb, spawnTs, stopChild, waitMessage } from './procs';
import type { ReportRecord, RequestRecord } from './twin-child';

export interface BenchTwin {
  readonly url: string;
  readonly apiKey: string;
  readonly engineEndpoint: string;
  /** `http://127.0.0.1:<port>`: serves the local issuer's JWKS too. */
  readonly origin: string;
  readonly pid: number;
  token(sub: string, tenant: string): Promise<string>;
  /** Returns and forgets the log records collected since the last drain. */
  drain(): Promise<{ requests: RequestRecord[]; reports: ReportRecord[] }>;
  /** RSS of the twin process (its worker threads included, DynamoDB Local's JVM not), in MB. */
  rss(): number;
  stop(): Promise<void>;
}

export async function startBenchTwin(dataDir: string): Promise<BenchTwin> {
  // Run as `npm start` runs the twin: bundled, without tsx's loader (whose memory would count as the twin's).
  const child = spawnTs(
    join(BENCH_DIR, 'lib', 'twin-child.ts'),
    [dataDir],
    {
      // The SDK's Node 20 deprecation notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    true,
  );
  try {
    const ready = await waitMessage<{ url: string; apiKey: string; engineEndpoint: string; origin: string }>(
      child,
      'ready',
      180_000,
    );
    const call = rpc(child);
    const pid = child.pid as number;
    return {
      ...ready,
      pid,
      token: async (sub, tenant) => (await call<{ token: string }>('token', { sub, tenant })).token,
      drain: () => call('drain'),
      rss: () => rssMb(pid),
      stop: () => stopChild(child, 15_000),
    };
  } catch (e) {
    await stopChild(child);
    throw e;
  }
}
