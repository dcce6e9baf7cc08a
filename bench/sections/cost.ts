/**
 * Section 5, dollars per million requests on AWS list prices: API Gateway REST + Lambda (billed duration x
 * memory, arm64, plus the request charge) + DynamoDB on-demand (the capacity measured in section 3), per
 * operation and for a mixed workload, with our durations (the twin's REPORT lines, and the same harness as
 * the reference) next to the reference handler's durations.
 * @module
 */
import { type Check, mdTable, type SectionResult } from '../lib/report';
import { median, round, type Summary } from '../lib/stats';
import type { ReportRecord } from '../lib/twin-child';
import type { CapacityData } from './capacity';
import { REFERENCE_OPS, type ReferenceOp } from './coldstart';

/** List prices as known, us-east-1; to be checked against AWS's pricing pages before relying on them. */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025-10 (DynamoDB on-demand after the November 2024 reduction)',
  apiGatewayRestPerMillion: 3.5,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  dynamodbWritePerMillionWru: 0.625,
  dynamodbReadPerMillionRru: 0.125,
} as const;

/** 80 % reads. */
export const MIX: Record<ReferenceOp, number> = { get: 0.6, list: 0.2, create: 0.1, patch: 0.1 };

const FUNCTION_OF: Record<ReferenceOp, string> = {
  get: 'GetFunction',
  list: 'ListFunction',
  create: 'CreateFunction',
  patch: 'PatchFunction',
};

export interface CostInput {
  readonly memoryMb: number;
  /** Warm REPORT lines of the twin at concurrency 1. */
  readonly reports: readonly ReportRecord[];
  readonly capacity: CapacityData;
  readonly warm: Record<ReferenceOp, { ours: Summary; reference: Summary }>;
}

interface Breakdown {
  readonly billedMs: number;
  readonly apiGateway: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly total: number;
}

export function costs(input: CostInput): SectionResult {
  const gbs = input.memoryMb / 1024;
  const breakdown = (op: ReferenceOp, billedMs: number): Breakdown => {
    const cap = input.capacity.rows.find((r) => r.operation === op);
    const dynamodb =
      (cap?.readUnits ?? 0) * PRICES.dynamodbReadPerMillionRru +
      (cap?.writeUnits ?? 0) * PRICES.dynamodbWritePerMillionWru;
    const lambda =
      PRICES.lambdaRequestsPerMillion + (billedMs / 1000) * gbs * PRICES.lambdaArmPerGbSecond * 1e6;
    const apiGateway = PRICES.apiGatewayRestPerMillion;
    return { billedMs, apiGateway, lambda, dynamodb, total: apiGateway + lambda + dynamodb };
  };
  const twinBilled = (op: ReferenceOp) => {
    const ms = input.reports.filter((r) => r.fn.endsWith(FUNCTION_OF[op])).map((r) => r.billedMs);
    return ms.length ? median(ms) : Number.NaN;
  };
  const rows = REFERENCE_OPS.map((op) => ({
    op,
    twin: breakdown(op, Math.ceil(twinBilled(op))),
    ours: breakdown(op, Math.ceil(input.warm[op].ours.median)),
    reference: breakdown(op, Math.ceil(input.warm[op].reference.median)),
  }));
  const mix = (pick: (r: (typeof rows)[number]) => Breakdown) =>
    rows.reduce((sum, r) => sum + MIX[r.op] * pick(r).total, 0);
  const mixed = { twin: mix((r) => r.twin), ours: mix((r) => r.ours), reference: mix((r) => r.reference) };
  const usd = (x: number) => `$${x.toFixed(3)}`;

  const data = {
    prices: PRICES,
    memoryMb: input.memoryMb,
    mix: MIX,
    perOperation: rows,
    mixedPerMillion: Object.fromEntries(Object.entries(mixed).map(([k, v]) => [k, round(v, 4)])),
  };
  const markdown = [
    '## 5. Dollars per million requests',
    '',
    `List prices as known for ${PRICES.region}, ${PRICES.asOf}; check them before relying on them: API Gateway REST $${PRICES.apiGatewayRestPerMillion} per million requests; Lambda arm64 $${PRICES.lambdaArmPerGbSecond} per GB-second and $${PRICES.lambdaRequestsPerMillion} per million requests; DynamoDB on-demand $${PRICES.dynamodbWritePerMillionWru} per million write request units and $${PRICES.dynamodbReadPerMillionRru} per million read request units. Functions have ${input.memoryMb} MB (the stack's default), billed per ms. DynamoDB units are those measured in section 3 (patch: 1 read unit, the rest write units).`,
    '',
    "Billed duration three ways: **twin** = median Billed Duration of the twin's warm REPORT lines at concurrency 1; **ours** and **reference** = median warm handler duration in the same fresh-process harness (section 1), rounded up to the ms.",
    '',
    mdTable(
      [
        'operation',
        'billed ms (twin / ours / reference)',
        'API Gateway',
        'Lambda (twin)',
        'DynamoDB',
        'total twin',
        'total ours',
        'total reference',
      ],
      rows.map((r) => [
        r.op,
        `${r.twin.billedMs} / ${r.ours.billedMs} / ${r.reference.billedMs}`,
        usd(r.twin.apiGateway),
        usd(r.twin.lambda),
        usd(r.twin.dynamodb),
        usd(r.twin.total),
        usd(r.ours.total),
        usd(r.reference.total),
      ]),
    ),
    '',
    `Mixed workload (${Object.entries(MIX)
      .map(([k, v]) => `${v * 100} % ${k}`)
      .join(
        ', ',
      )}): **${usd(mixed.twin)}** per million with the twin's durations, ${usd(mixed.ours)} with ours in the harness, ${usd(mixed.reference)} with the reference handler's.`,
    '',
    '- Not included: the authorizer (its result is cached per token for the TTL, so it runs about once per client per TTL, not per request); cold starts (Lambda bills the init phase: section 1 gives its length); the change-history consumer (per write: its share of a stream batch invocation and 1 WRU for the history entry); data transfer; CloudWatch Logs.',
    '- API Gateway dominates: at these durations Lambda and DynamoDB are a few cents of the ~$3.9 per million.',
  ].join('\n');
  const checks: Check[] = [
    {
      section: 'cost',
      figure: 'mixed workload, $ per million (twin durations)',
      target: 'info',
      measured: `${usd(mixed.twin)} (reference durations ${usd(mixed.reference)}, ours in the same harness ${usd(mixed.ours)})`,
      met: null,
    },
  ];
  return { name: 'cost', data, markdown, checks };
}
