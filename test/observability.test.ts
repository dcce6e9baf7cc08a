/**
 * Observability through the twin: the deployed bundles, run by the emulated Lambda, write Powertools-format
 * request lines and one embedded-metric-format line per HTTP invocation, in the stack's namespace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../local/twin';

// biome-ignore lint/suspicious/noExplicitAny: log lines are untyped JSON; tests read them by key.
type Line = Record<string, any>;

let twin: Twin;
let dataDir: string;
const logged: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'twin-obs-'));
  twin = await startTwin({ port: 0, dataDir, inMemory: true, log: (m: string) => logged.push(m) });
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The JSON objects the functions wrote (the twin prefixes each line with `[function] `). */
function functionJson(): Line[] {
  const out: Line[] = [];
  for (const m of logged) {
    const at = m.indexOf('{');
    if (at < 0) continue;
    try {
      out.push(JSON.parse(m.slice(at)));
    } catch {
      // Not a JSON line: the twin's own messages.
    }
  }
  return out;
}

/** Polls the log (bounded) until `pick` finds something. */
async function waitFor<T>(pick: (lines: Line[]) => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = pick(functionJson());
    if (found !== undefined) return found;
    if (Date.now() > end)
      throw new Error(`not logged within ${timeoutMs} ms:\n${logged.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Observability through the twin', () => {
  it('writes an EMF line and a Powertools-format request line for a create', async () => {
    const res = await fetch(`${twin.url}/items`, {
      method: 'POST',
      headers: {
        'x-api-key': twin.apiKey,
        authorization: `Bearer ${await twin.token({ sub: 'alice', tenant: 'acme' })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'pen', price: 2 }),
    });
    expect(res.status).toBe(201);
    const emf = await waitFor((lines) => lines.find((l) => l._aws && l.Operation === 'create'));
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'CrudApi/local',
      Dimensions: [['Operation', 'Resource']],
    });
    expect(emf).toMatchObject({ Resource: 'items', Faults: 0 });
    expect(emf.Latency).toBeGreaterThanOrEqual(0);
    expect(emf.ConsumedCapacity).toBeGreaterThan(0);

    const request = await waitFor((lines) =>
      lines.find((l) => l.message === 'request' && l.operation === 'create'),
    );
    expect(request).toMatchObject({
      level: 'INFO',
      service: 'crud-api',
      cold_start: true,
      function_memory_size: 256,
      status: 201,
    });
    expect(request.function_name).toEqual(expect.any(String));
    expect(request.function_arn).toMatch(/^arn:aws:lambda:/);
    expect(request.function_request_id).toEqual(expect.any(String));
  });
});
