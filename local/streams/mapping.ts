/**
 * Reads the template's `AWS::Lambda::EventSourceMapping` resources on DynamoDB streams into
 * {@link StreamMappingSpec}s (pure: a resolver in, specs and warnings out; nothing is thrown).
 *
 * Read: `EventSourceArn` (a table's `StreamArn`), `FunctionName` (`Ref`, `Fn::GetAtt ... Arn`, a name, an ARN or a
 * partial ARN, an alias or version), `BatchSize` (100), `MaximumBatchingWindowInSeconds` (0),
 * `StartingPosition`, `BisectBatchOnFunctionError` (false), `MaximumRetryAttempts` (-1), `MaximumRecordAgeInSeconds`
 * (-1), `FunctionResponseTypes`, `FilterCriteria`, `DestinationConfig.OnFailure`, `Enabled` (true), `Condition`.
 * Anything else gets a warning naming the resource; a mapping on another kind of source (Kinesis, SQS, Kafka) is
 * skipped with a warning.
 * @module
 */
import type { CfnTemplate } from '../types';
import { type FilterPattern, parseFilterPattern } from './filter';
import type { OnFailureDestination, StreamMappingSpec } from './types';

/** The part of the resolver the reader needs. */
export interface MappingResolver {
  readonly resolve: (value: unknown, where?: string) => unknown;
  readonly isIncluded: (logicalId: string) => boolean;
}

/** Specs, plus what could not be honoured. */
export interface ReadMappings {
  readonly specs: readonly StreamMappingSpec[];
  readonly warnings: readonly string[];
}

const HANDLED = new Set([
  'EventSourceArn',
  'FunctionName',
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'StartingPosition',
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'FunctionResponseTypes',
  'FilterCriteria',
  'DestinationConfig',
  'Enabled',
  'Tags',
]);
const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);
const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/;

type Props = Record<string, unknown>;

function getAttOf(raw: unknown): [string, string] | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const g = (raw as Props)['Fn::GetAtt'];
  if (Array.isArray(g) && typeof g[0] === 'string' && typeof g[1] === 'string') return [g[0], g[1]];
  if (typeof g === 'string' && g.includes('.'))
    return [g.slice(0, g.indexOf('.')), g.slice(g.indexOf('.') + 1)];
  return undefined;
}

function refOf(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = (raw as Props)['Ref'];
  return typeof r === 'string' ? r : undefined;
}

/** The function name part of a name, an ARN (with or without qualifier) or a partial ARN. */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  const i = parts.indexOf('function');
  return i >= 0 && parts[i + 1] ? parts[i + 1]! : nameOrArn;
}

function intIn(
  v: unknown,
  name: string,
  dflt: number,
  min: number,
  max: number,
  where: string,
  warn: (m: string) => void,
): number {
  if (v === undefined || v === null) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    warn(`${where}: ${name} ${JSON.stringify(v)} is not an integer; using ${dflt}`);
    return dflt;
  }
  if (n < min || n > max) {
    const c = Math.min(max, Math.max(min, n));
    warn(`${where}: ${name} ${n} is outside ${min}..${max} (AWS would reject it); using ${c}`);
    return c;
  }
  return n;
}

/** Reads every DynamoDB-stream event source mapping of the template. */
export function readStreamMappings(template: CfnTemplate, resolver: MappingResolver): ReadMappings {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const specs: StreamMappingSpec[] = [];
  const resources = template.Resources ?? {};
  // Own members only: a Ref to `constructor` names no resource, not Object.prototype's.
  const resourceOf = (id: string) => (Object.hasOwn(resources, id) ? resources[id] : undefined);
  const ofType = (types: ReadonlySet<string>) =>
    Object.entries(resources).filter(([id, r]) => types.has(r.Type) && resolver.isIncluded(id));
  const functions = ofType(new Set(['AWS::Lambda::Function']));
  const tables = ofType(TABLE_TYPES);

  const functionLogicalId = (raw: unknown, where: string): string | undefined => {
    const ref = refOf(raw) ?? getAttOf(raw)?.[0];
    const target = ref ? resourceOf(ref) : undefined;
    if (ref && target?.Type === 'AWS::Lambda::Function') return ref;
    if (ref && (target?.Type === 'AWS::Lambda::Alias' || target?.Type === 'AWS::Lambda::Version')) {
      warn(`${where}: FunctionName is ${target.Type} ${ref}; invoking its function's latest code`);
      return functionLogicalId(target.Properties?.['FunctionName'], where);
    }
    const resolved = resolver.resolve(raw, where);
    if (typeof resolved !== 'string') return undefined;
    const name = functionNameOf(resolved);
    for (const [id] of functions) {
      if (String(resolver.resolve({ Ref: id }, where)) === name) return id;
    }
    return undefined;
  };

  const destination = (raw: unknown, where: string): OnFailureDestination | undefined => {
    if (raw === undefined) return undefined;
    const arn = String(resolver.resolve(raw, where));
    const direct = getAttOf(raw)?.[0] ?? refOf(raw);
    let logicalId = direct && resourceOf(direct) ? direct : undefined;
    if (!logicalId) {
      for (const [id, r] of Object.entries(resources)) {
        if (!resolver.isIncluded(id)) continue;
        const own =
          r.Type === 'AWS::SQS::Queue'
            ? resolver.resolve({ 'Fn::GetAtt': [id, 'Arn'] }, where)
            : r.Type === 'AWS::SNS::Topic'
              ? resolver.resolve({ Ref: id }, where)
              : undefined;
        if (own === arn) logicalId = id;
      }
    }
    const type = logicalId ? resources[logicalId]!.Type : 'external';
    if (type !== 'AWS::SQS::Queue') {
      warn(
        `${where}: on-failure destination ${arn} is ${type === 'external' ? 'not in the template' : `an ${type}`}; failed batches are kept in the dead-letters folder as for a queue`,
      );
    }
    return { arn, logicalId: logicalId ?? (arn.split(':').at(-1) || 'destination'), type };
  };

  for (const [id, res] of Object.entries(resources)) {
    if (res.Type !== 'AWS::Lambda::EventSourceMapping' || !resolver.isIncluded(id)) continue;
    const raw = res.Properties ?? {};
    const props = (resolver.resolve(raw, id) ?? {}) as Props;
    const sourceArn = props['EventSourceArn'];
    if (typeof sourceArn !== 'string' || sourceArn === '') {
      warn(`${id}: no EventSourceArn (self-managed Kafka or Amazon MQ?); not emulated locally`);
      continue;
    }
    const m = STREAM_ARN.exec(sourceArn);
    if (!m) {
      const service = sourceArn.split(':')[2] ?? 'unknown';
      warn(`${id}: event source ${sourceArn} is not a DynamoDB stream (${service}); not emulated locally`);
      continue;
    }
    const tableName = m[1]!;
    const att = getAttOf(raw['EventSourceArn']);
    const tableLogicalId =
      att && TABLE_TYPES.has(resourceOf(att[0])?.Type ?? '')
        ? att[0]
        : tables.find(([t]) => String(resolver.resolve({ Ref: t }, id)) === tableName)?.[0];

    const fnId = functionLogicalId(raw['FunctionName'], id);
    if (!fnId) {
      warn(
        `${id}: FunctionName ${JSON.stringify(props['FunctionName'])} is not a function of this template; mapping skipped`,
      );
      continue;
    }
    const functionArn = String(resolver.resolve({ 'Fn::GetAtt': [fnId, 'Arn'] }, id));

    const ignored = Object.keys(props).filter((k) => !HANDLED.has(k));
    const parallel = props['ParallelizationFactor'];
    if (parallel !== undefined && Number(parallel) <= 1)
      ignored.splice(ignored.indexOf('ParallelizationFactor'), 1);
    if (ignored.length) {
      warn(`${id}: not emulated locally: ${ignored.join(', ')} (one batch in flight per shard)`);
    }

    let startingPosition: StreamMappingSpec['startingPosition'] = 'TRIM_HORIZON';
    const sp = props['StartingPosition'];
    if (sp === 'LATEST' || sp === 'TRIM_HORIZON') startingPosition = sp;
    else
      warn(`${id}: StartingPosition ${JSON.stringify(sp)} is not TRIM_HORIZON or LATEST; using TRIM_HORIZON`);

    const retries = intIn(props['MaximumRetryAttempts'], 'MaximumRetryAttempts', -1, -1, 10_000, id, warn);
    const age = intIn(
      props['MaximumRecordAgeInSeconds'],
      'MaximumRecordAgeInSeconds',
      -1,
      -1,
      604_800,
      id,
      warn,
    );
    const types = Array.isArray(props['FunctionResponseTypes']) ? props['FunctionResponseTypes'] : [];
    for (const t of types) {
      if (t !== 'ReportBatchItemFailures') warn(`${id}: FunctionResponseTypes ${String(t)} is not known`);
    }

    const criteria = props['FilterCriteria'] as Props | undefined;
    const declared = Array.isArray(criteria?.['Filters']) ? (criteria['Filters'] as Props[]) : [];
    const filters: FilterPattern[] = [];
    for (const [i, f] of declared.entries()) {
      const parsed = parseFilterPattern(f?.['Pattern']);
      if (parsed.ok) filters.push(parsed.pattern);
      else warn(`${id}: FilterCriteria.Filters[${i}] ignored, it matches nothing: ${parsed.reason}`);
    }

    const onFailureRaw = (
      (raw['DestinationConfig'] as Props | undefined)?.['OnFailure'] as Props | undefined
    )?.['Destination'];
    const onFailure = destination(onFailureRaw, id);

    specs.push({
      logicalId: id,
      functionLogicalId: fnId,
      functionArn,
      eventSourceArn: sourceArn,
      ...(tableLogicalId ? { tableLogicalId } : {}),
      batchSize: intIn(props['BatchSize'], 'BatchSize', 100, 1, 10_000, id, warn),
      batchingWindowMs:
        1000 *
        intIn(props['MaximumBatchingWindowInSeconds'], 'MaximumBatchingWindowInSeconds', 0, 0, 300, id, warn),
      startingPosition,
      bisectBatchOnFunctionError: props['BisectBatchOnFunctionError'] === true,
      maximumRetryAttempts: retries < 0 ? Number.POSITIVE_INFINITY : retries,
      maximumRecordAgeSeconds: age < 0 ? Number.POSITIVE_INFINITY : age,
      reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
      filters,
      filtersDeclared: declared.length > 0,
      ...(onFailure ? { onFailure } : {}),
      enabled: props['Enabled'] !== false && props['Enabled'] !== 'false',
    });
  }
  return { specs, warnings };
}
