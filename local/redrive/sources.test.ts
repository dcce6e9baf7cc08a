/** The twin's dead-letter files as a redrive source, on real files. */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deadLetterFileSource } from './sources';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDirWith(files: Record<string, string[]>): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'redrive-src-'));
  dirs.push(dataDir);
  mkdirSync(join(dataDir, 'dead-letters'));
  for (const [name, lines] of Object.entries(files))
    appendFileSync(join(dataDir, 'dead-letters', name), lines.map((l) => `${l}\n`).join(''));
  return dataDir;
}

describe('deadLetterFileSource', () => {
  it('hands out every message once, writes back the kept ones, and loses nothing the twin appends meanwhile', async () => {
    const dataDir = dataDirWith({ 'Q.jsonl': ['{"n":1}', '{"n":2}', 'torn {'] });
    const live = join(dataDir, 'dead-letters', 'Q.jsonl');
    const source = deadLetterFileSource(dataDir);
    const page = await source.next();
    expect(page.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }, 'torn {']);
    expect(await source.next()).toEqual([]);
    // The twin sends a new failure while the redrive runs: it lands in a new live file.
    appendFileSync(live, '{"n":3}\n');
    await source.delete(page[0]!);
    await source.keep(page[1]!, 'still failing');
    await source.keep(page[2]!, 'not JSON');
    await source.close();
    expect(readFileSync(live, 'utf8').split('\n').filter(Boolean)).toEqual(['{"n":3}', '{"n":2}', 'torn {']);
    expect(readdirSync(join(dataDir, 'dead-letters'))).toEqual(['Q.jsonl']);
  });

  it('takes only the named destination, and takes over the claim of a redrive that died', async () => {
    const dataDir = dataDirWith({
      'A.jsonl': ['{"a":1}'],
      'B.jsonl': ['{"b":1}'],
      // pid 2^22+1 is above Linux's pid_max: no such process.
      'A.jsonl.redrive-4194305-0': ['{"a":0}'],
    });
    const source = deadLetterFileSource(dataDir, 'A');
    const page = await source.next();
    expect(
      page.map((m) => m.body).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    ).toEqual([{ a: 0 }, { a: 1 }]);
    for (const m of page) await source.delete(m);
    await source.close();
    expect(readdirSync(join(dataDir, 'dead-letters')).sort()).toEqual(['B.jsonl']);
    expect(existsSync(join(dataDir, 'dead-letters', 'A.jsonl'))).toBe(false);
  });
});
