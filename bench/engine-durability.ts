/**
 * Does DynamoDB Local keep what it acknowledged when its JVM is killed (SIGKILL)? Rounds of concurrent
 * writers (half `PutItem`, half `TransactWriteItems` of two puts) on a persisted engine, a SIGKILL in the
 * middle, a restart on the same data, then a consistent read of every acknowledged write.
 *
 *   npx tsx bench/engine-durability.ts [rounds]
 *
 * What it showed is in the README (the offline twin's DynamoDB notes): acknowledged transactions can be lost,
 * acknowledged PutItems were not, so the twin cannot promise more than the engine keeps.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, jarDir, pingDynamoDB } from '../local/engine/dynamodb-local';
import { DynamoDB } from '../src/store/dynamodb';

const rounds = Number(process.argv[2] ?? 8);
const jar = jarDir();
const data = mkdtempSync(join(tmpdir(), 'ddb-durability-'));
const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
const db = new DynamoDB({
  endpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

function java(): ChildProcess {
  const args = [
    `-Djava.library.path=${join(jar, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jar, 'DynamoDBLocal.jar'),
  ];
  return spawn('java', [...args, '-port', String(port), '-disableTelemetry', '-sharedDb', '-dbPath', data], {
    stdio: 'ignore',
  });
}

async function started(): Promise<ChildProcess> {
  const j = java();
  const deadline = Date.now() + 60_000;
  while (!(await pingDynamoDB(endpoint))) {
    if (Date.now() > deadline) throw new Error('DynamoDB Local did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return j;
}

const killed = (j: ChildProcess) => {
  j.kill('SIGKILL');
  return new Promise((r) => j.once('exit', r));
};

async function write(kind: 'put' | 'tx', k: string): Promise<void> {
  const item = {
    TableName: 'Durability',
    Item: { k: { S: `item-${k}` } },
    ConditionExpression: 'attribute_not_exists(k)',
  };
  if (kind === 'put') await db.call('PutItem', item);
  else
    await db.call('TransactWriteItems', {
      TransactItems: [{ Put: item }, { Put: { TableName: 'Durability', Item: { k: { S: `idem-${k}` } } } }],
    });
}

const totals = { put: { acked: 0, lost: 0 }, tx: { acked: 0, lost: 0 } };
let running: ChildProcess | undefined;
try {
  for (let round = 0; round < rounds; round++) {
    const j = await started();
    running = j;
    if (round === 0) {
      await db.call('CreateTable', {
        TableName: 'Durability',
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
    }
    const acked: { k: string; kind: 'put' | 'tx'; at: number }[] = [];
    let stop = false;
    const workers = [0, 1, 2, 3].map(async (w) => {
      const kind = w % 2 ? 'tx' : 'put';
      for (let i = 0; !stop; i++) {
        const k = `r${round}w${w}i${i}`;
        try {
          await write(kind, k);
          acked.push({ k, kind, at: Date.now() });
        } catch {
          return; // the engine is gone
        }
      }
    });
    await new Promise((r) => setTimeout(r, 2000 + round * 200));
    const killedAt = Date.now();
    await killed(j);
    stop = true;
    await Promise.all(workers);
    const again = await started();
    running = again;
    for (const a of acked) {
      const got = await db.call<{ Item?: unknown }>('GetItem', {
        TableName: 'Durability',
        Key: { k: { S: `item-${a.k}` } },
        ConsistentRead: true,
      });
      totals[a.kind].acked++;
      if (!got.Item) {
        totals[a.kind].lost++;
        console.log(
          `round ${round}: lost ${a.kind} ${a.k}, acknowledged ${killedAt - a.at} ms before the kill`,
        );
      }
    }
    await killed(again);
  }
  console.log(
    `PutItem: ${totals.put.acked} acknowledged, ${totals.put.lost} lost; TransactWriteItems: ${totals.tx.acked} acknowledged, ${totals.tx.lost} lost`,
  );
} finally {
  running?.kill('SIGKILL');
  rmSync(data, { recursive: true, force: true });
}
