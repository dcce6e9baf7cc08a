import { describe, expect, it } from 'vitest';
import { renderVtl, type VtlInputs } from './vtl';

const inputs = (headers: Record<string, string> = {}): VtlInputs => ({
  headers,
  query: { q: 'x' },
  path: { id: '7' },
  stageVariables: { env: 'dev' },
  context: { requestId: 'r-1' },
});

// The template CDK's defaultCorsPreflightOptions renders for allowOrigins ['https://a', 'https://b', 'https://c'].
const cdkCors = [
  '#set($origin = $input.params().header.get("Origin"))',
  '#if($origin == "")',
  '  #set($origin = $input.params().header.get("origin"))',
  '#end',
  '#if($origin == "https://b" || $origin == "https://c")',
  '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
  '#end',
].join('\n');

describe('Function: renderVtl', () => {
  it("overrides the origin header for an allowed Origin, either case of the header's name", () => {
    expect(renderVtl(cdkCors, inputs({ Origin: 'https://c' })).headerOverrides).toEqual({
      'Access-Control-Allow-Origin': 'https://c',
    });
    expect(renderVtl(cdkCors, inputs({ origin: 'https://b' })).headerOverrides).toEqual({
      'Access-Control-Allow-Origin': 'https://b',
    });
    expect(renderVtl(cdkCors, inputs({ Origin: 'https://x' })).headerOverrides).toEqual({});
    expect(renderVtl(cdkCors, inputs()).output.trim()).toBe('');
  });

  it('handles #elseif/#else, status overrides and references in text', () => {
    const t = [
      '#if($input.params("q") == "y")',
      'one',
      '#elseif($input.params("id") != "7")',
      'two',
      '#else',
      '#set($context.responseOverride.status = 418)',
      '{"id":"$input.params().path.get("id")","env":"$stageVariables.env","req":"$context.requestId","none":"$!missing"}',
      '#end',
    ].join('\n');
    const r = renderVtl(t, inputs());
    expect(r.statusOverride).toBe(418);
    expect(r.output.trim()).toBe('{"id":"$input.params().path.get("id")","env":"dev","req":"r-1","none":""}');
  });
});
