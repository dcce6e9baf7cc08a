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

/** Limits high enough that the gateway never throttles the bench (see `infra/config.ts`). */
export const THROTTLE_ENV = {
  API_THROTTLE_RATE: '1000000',
  API_THROTTLE_BURST: '1000000',
  API_QUOTA_LIMIT: '2000000000',
} as const;

export async function startBenchTwin(dataDir: string): Promise<BenchTwin> {
  const child = spawnTs(join(BENCH_DIR, 'lib', 'twin-child.ts'), [dataDir], {
    // The SDK's Node 20 deprecation notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The usage plan and stage throttle at 50 rps (burst 100) by default. `startTwin({ context })` is the way to
    // raise them, but twin.ts does not pass that context on to the synth yet; infra/config.ts reads these
    // variables when the context has no value, and local/synth.ts passes the environment through.
    ...THROTTLE_ENV,
  });
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
