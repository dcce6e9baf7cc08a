/**
 * Where a redrive's messages come from: an SQS queue (AWS), or the twin's dead-letter files
 * (`<dataDir>/dead-letters/<queueLogicalId>.jsonl`, one message per line, as `local/streams/dead-letters.ts`
 * writes them), and the ports that reach the stream and the function over the AWS APIs (`api.ts`).
 * @module
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SdkStreamRecord } from '../streams/record';
import type { InvokeResult } from '../types';
import {
  type ApiTarget,
  getRecords,
  getShardIterator,
  invoke,
  listEventSourceMappings,
  send,
  sqsDelete,
  sqsReceive,
} from './api';
import {
  type MappingView,
  type MessageSource,
  mappingFromApi,
  type ReceivedMessage,
  type RedrivePorts,
} from './redrive';

/** The twin's dead-letter files of one destination (by logical id) or of all. */
export function deadLetterFileSource(dataDir: string, destinationLogicalId?: string): MessageSource {
  const dir = join(dataDir, 'dead-letters');
  const claimed: { live: string; claim: string; kept: string[] }[] = [];
  let handed = false;
  const byId = new Map<string, { file: number; line: string }>();
  const wanted = (f: string) =>
    destinationLogicalId === undefined ||
    f.startsWith(`${destinationLogicalId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
  return {
    async next() {
      if (handed || !existsSync(dir)) return [];
      handed = true;
      const out: ReceivedMessage[] = [];
      // A claim of a redrive that died is taken over; the live file is renamed first, so the twin's
      // appends from now on start a new one and nothing it writes meanwhile is lost or replayed twice.
      for (const f of readdirSync(dir).sort()) {
        if (!wanted(f)) continue;
        const m = /^(.*\.jsonl)(?:\.redrive-(\d+)-\d+)?$/.exec(f);
        if (!m) continue;
        if (m[2] && Number(m[2]) !== process.pid && alive(Number(m[2]))) continue;
        const live = join(dir, m[1]!);
        const claim = `${live}.redrive-${process.pid}-${claimed.length}`;
        renameSync(join(dir, f), claim);
        const entry = { live, claim, kept: [] as string[] };
        claimed.push(entry);
        readFileSync(claim, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .forEach((line, i) => {
            const id = `${m[1]}#${claimed.length}:${i + 1}`;
            byId.set(id, { file: claimed.length - 1, line });
            let body: unknown = line;
            try {
              body = JSON.parse(line);
            } catch {
              // kept as text: parseFailedBatch says why it cannot be replayed
            }
            out.push({ id, body });
          });
      }
      return out;
    },
    async delete() {},
    async keep(m) {
      const at = byId.get(m.id);
      if (at) claimed[at.file]!.kept.push(at.line);
    },
    async close() {
      for (const c of claimed) {
        if (c.kept.length) {
          mkdirSync(dir, { recursive: true });
          appendFileSync(c.live, `${c.kept.join('\n')}\n`);
        }
        rmSync(c.claim, { force: true });
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An SQS queue; a kept message becomes visible again after `visibilitySeconds`. */
export function sqsSource(target: ApiTarget, queueUrl: string, visibilitySeconds = 900): MessageSource {
  const seen = new Set<string>();
  return {
    async next() {
      const out = JSON.parse((await send(sqsReceive(target, queueUrl, visibilitySeconds))).text || '{}') as {
        Messages?: { MessageId: string; ReceiptHandle: string; Body: string }[];
      };
      // A message seen twice means its visibility ran out during this run: stop rather than loop.
      const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId));
      for (const m of fresh) seen.add(m.MessageId);
      return fresh.map((m) => ({ id: m.ReceiptHandle, body: m.Body }));
    },
    async delete(m) {
      await send(sqsDelete(target, queueUrl, m.id));
    },
    async keep() {},
    async close() {},
  };
}

/** The stream and function ports over the AWS APIs (or the twin's engine and Lambda API). */
export function apiPorts(target: ApiTarget): RedrivePorts {
  const mappings = new Map<string, Promise<MappingView>>();
  return {
    async getShardIterator(streamArn: string, shardId: string, sequenceNumber: string) {
      const out = JSON.parse((await send(getShardIterator(target, streamArn, shardId, sequenceNumber))).text);
      return out.ShardIterator as string | undefined;
    },
    async getRecords(iterator: string) {
      const out = JSON.parse((await send(getRecords(target, iterator))).text) as {
        Records?: SdkStreamRecord[];
        NextShardIterator?: string;
      };
      return {
        records: out.Records ?? [],
        ...(out.NextShardIterator ? { next: out.NextShardIterator } : {}),
      };
    },
    async invoke(functionArn: string, event: unknown): Promise<InvokeResult> {
      const { text, headers } = await send(invoke(target, functionArn, event));
      const payload: unknown = text ? JSON.parse(text) : null;
      const error = headers.get('x-amz-function-error');
      if (!error) return { ok: true, payload };
      const p = (payload ?? {}) as { errorType?: string; errorMessage?: string };
      return { ok: false, errorType: p.errorType ?? error, errorMessage: p.errorMessage ?? '' };
    },
    mapping(functionArn: string, streamArn: string) {
      const key = `${functionArn}\n${streamArn}`;
      let m = mappings.get(key);
      if (!m) {
        const list = async (stream: string) =>
          (
            JSON.parse((await send(listEventSourceMappings(target, functionArn, stream))).text) as {
              EventSourceMappings?: unknown[];
            }
          ).EventSourceMappings ?? [];
        m = (async () => {
          let found = await list(streamArn);
          // A stream known by another ARN (a template the twin resolved to a label): the function's only mapping.
          if (found.length === 0) {
            const any = await list('');
            found = any.length === 1 ? any : [];
          }
          if (found.length === 0)
            throw new Error(`no event source mapping of ${functionArn} on ${streamArn}`);
          return mappingFromApi(found[0]);
        })();
        mappings.set(key, m);
      }
      return m;
    },
  };
}
