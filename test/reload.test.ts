/**
 * Hot reload of a changed template through a running twin: what it can swap (a function's variables) is
 * served at once; what it cannot (a new route, a new table) is named in a "Restart needed" line instead of a
 * silent success. The change is driven as a developer's re-synth would: the assembly's template is rewritten
 * and the twin reloads it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type Twin } from '../local/twin';

let twin: Twin;
let dir: string;
const logs: string[] = [];
const templateFile = () => join(dir, 'assembly', 'NotesApp.template.json');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twin-reload-'));
  cpSync(join(import.meta.dirname, 'fixtures', 'other-app'), join(dir, 'assembly'), { recursive: true });
  twin = await startTwin({
    port: 0,
    dataDir: join(dir, 'data'),
    inMemory: true,
    assembly: join(dir, 'assembly'),
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('twin.reload of a changed template', () => {
  it('swaps the function whose variables changed and names the route and table that need a restart', async () => {
    const t = JSON.parse(readFileSync(templateFile(), 'utf8'));
    t.Resources.Handler.Properties.Environment.Variables.NOTES_TABLE = 'Renamed';
    t.Resources.ExtraTable = structuredClone(t.Resources.NotesTable);
    t.Resources.ExtraResource = {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        PathPart: 'extra',
      },
    };
    t.Resources.ExtraGet = {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        ...t.Resources.ProxyAny.Properties,
        HttpMethod: 'GET',
        ResourceId: { Ref: 'ExtraResource' },
      },
    };
    writeFileSync(templateFile(), JSON.stringify(t));

    const before = logs.length;
    expect(await twin.reload()).toEqual(['Handler']);
    const r = await fetch(`${twin.url}/env`);
    expect(await r.json()).toMatchObject({ table: 'Renamed' });

    const restart = logs.slice(before).filter((l) => l.startsWith('Restart needed'));
    expect(restart).toHaveLength(1);
    expect(restart[0]).toContain('new route GET /extra');
    expect(restart[0]).toContain('new table ExtraTable');
    expect(twin.tables.map((x) => x.logicalId)).toEqual(['NotesTable']);
  });

  it('says nothing of a restart once the template is back to what is served', async () => {
    const t = JSON.parse(
      readFileSync(join(import.meta.dirname, 'fixtures', 'other-app', 'NotesApp.template.json'), 'utf8'),
    );
    writeFileSync(templateFile(), JSON.stringify(t));
    const before = logs.length;
    expect(await twin.reload()).toEqual(['Handler']);
    expect(logs.slice(before).filter((l) => l.startsWith('Restart needed'))).toEqual([]);
  });
});
