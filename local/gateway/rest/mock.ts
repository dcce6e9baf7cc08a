/**
 * MOCK integrations: the request template picks a status code, which selects an integration response; its
 * response parameters and template (with `$context.responseOverride`) give the method response.
 * @module
 */
import { dict, own } from './dict';
import { evalMapping } from './mapping';
import type { Integration } from './model';
import { renderVtl, type VtlInputs } from './vtl';

/** A method response of a MOCK integration. */
export interface MockResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Status code of a rendered request template like `{"statusCode": 200}` (or CDK's `{ statusCode: 200 }`). */
export function statusOfRequestTemplate(output: string): number | undefined {
  const m = output.match(/["']?statusCode["']?\s*:\s*["']?(\d{3})/);
  return m ? Number(m[1]) : undefined;
}

function mapValue(expr: string, inp: VtlInputs): string | undefined {
  return evalMapping(expr, {
    header: (n) => own(inp.headers, n),
    querystring: (n) => own(inp.query, n),
    path: (n) => own(inp.path, n),
    stageVariable: (n) => own(inp.stageVariables, n),
  });
}

/**
 * Runs a MOCK integration; `undefined` when no integration response matches and there is no default one
 * (API Gateway: 500, "No match for output mapping and no default output mapping configured").
 */
export function runMock(
  integration: Extract<Integration, { type: 'MOCK' }>,
  inp: VtlInputs,
): MockResponse | undefined {
  let selected = integration.responses.find((r) => !r.selectionPattern);
  if (integration.requestTemplate !== undefined) {
    const status = statusOfRequestTemplate(renderVtl(integration.requestTemplate, inp).output);
    if (status !== undefined) {
      selected = integration.responses.find((r) => r.selectionPattern?.test(String(status))) ?? selected;
    }
  }
  if (!selected) return undefined;
  const headers = dict<string>();
  for (const [k, expr] of Object.entries(selected.responseParameters)) {
    const m = k.match(/^method\.response\.header\.(.+)$/);
    if (!m) continue;
    const v = mapValue(expr, inp);
    if (v !== undefined) headers[m[1]!] = v;
  }
  let status = selected.statusCode;
  let body = '';
  if (selected.responseTemplate !== undefined) {
    const r = renderVtl(selected.responseTemplate, inp);
    body = r.output;
    if (r.statusOverride !== undefined) status = r.statusOverride;
    Object.assign(headers, r.headerOverrides);
  }
  return { status, headers, body };
}
