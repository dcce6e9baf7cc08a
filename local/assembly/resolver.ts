/**
 * Resolves CloudFormation intrinsic functions of a synthesized template into local values.
 *
 * Emulated (as the CloudFormation intrinsic function reference documents them):
 * - `Ref`: parameters (override, else `Default`; `CommaDelimitedList`/`List<...>` split into lists), pseudo
 *   parameters (`AWS::Region`, `AWS::AccountId`, `AWS::StackName`, `AWS::StackId`, `AWS::Partition`,
 *   `AWS::URLSuffix`, `AWS::NoValue`, `AWS::NotificationARNs` = []), resources (their local physical id, see
 *   `physical.ts`).
 * - `Fn::GetAtt` (array and `"Id.Attr"` forms), `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Sub` (string and
 *   `[string, vars]` forms, `${!Literal}` escapes), `Fn::If`, `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`,
 *   `Condition` in condition expressions, resource `Condition`s ({@link Resolver.isIncluded}), `Fn::FindInMap`
 *   (with `DefaultValue`), `Fn::Base64`, `Fn::GetAZs` (`<region>a..c`), `Fn::Length`, `Fn::ToJsonString`.
 * - `AWS::NoValue` removes the property or list element it stands for.
 * - Dynamic references `{{resolve:secretsmanager:<arn-or-name>:SecretString:<json-key>::}}` to secrets declared
 *   in the same template (see `secrets.ts`).
 *
 * Not emulated (a warning through `log`, naming the resource or value, never a throw): `Fn::ImportValue`
 * (gives `imported:<name>`), `Fn::Cidr`, `Fn::Transform`, SSM parameter types and `{{resolve:ssm...}}`
 * references (left as written), secrets not declared in the template, attributes only a deployed service knows.
 * @module
 */

import { dict, own } from '../gateway/rest/dict';
import type { CfnResource, CfnTemplate, Log } from '../types';
import { NAME_PROPERTY, type PhysicalContext, type PhysicalResource, physicalResource } from './physical';
import {
  createSecretStore,
  type GenerateSecretStringSpec,
  generateSecretString,
  type SecretStore,
} from './secrets';

export interface ResolverOptions {
  /** The stack name used for `AWS::StackName` and generated physical names. */
  readonly stackName: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Parameter values that override the template's `Default`s. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Where warnings go. @default silent */
  readonly log?: Log;
  /** Secret values; @default an in-memory store */
  readonly secrets?: SecretStore;
}

/** A template-bound resolver. */
export interface Resolver {
  /** Resolves every intrinsic in a value; `AWS::NoValue` at the top gives `undefined`. `where` names the
   * resource (or place) in warnings. */
  readonly resolve: (value: unknown, where?: string) => unknown;
  readonly context: PhysicalContext;
  /** `{ Ref: logicalId }` for a resource. */
  ref(logicalId: string): unknown;
  /** `{ 'Fn::GetAtt': [logicalId, attr] }`. */
  getAtt(logicalId: string, attr: string): unknown;
  /** The value of a named condition. */
  condition(name: string): boolean;
  /** False when the resource's `Condition` is false (CloudFormation would not create it). */
  isIncluded(logicalId: string): boolean;
  /** Overrides an attribute with what the local service reported (e.g. a table's real `StreamArn`). */
  setAttribute(logicalId: string, attr: string, value: unknown): void;
}

const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const PSEUDO_SSM = /^AWS::SSM::Parameter::Value</;

/**
 * Binds a resolver to a template.
 * @example
 * const { resolve } = createResolver(template, { stackName: 'Api' });
 * resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}' });
 */
export function createResolver(template: CfnTemplate, opts: ResolverOptions): Resolver {
  const context: PhysicalContext = {
    stackName: opts.stackName,
    region: opts.region ?? 'us-east-1',
    accountId: opts.accountId ?? '000000000000',
    partition: 'aws',
    urlSuffix: 'amazonaws.com',
  };
  const resources = template.Resources ?? {};
  const secrets = opts.secrets ?? createSecretStore();
  const warned = new Set<string>();
  const warn = (msg: string) => {
    if (warned.has(msg)) return;
    warned.add(msg);
    opts.log?.(`warning: ${msg}`);
  };
  const physical = new Map<string, PhysicalResource>();
  const naming = new Set<string>();
  const conditions = new Map<string, boolean>();
  const evaluating = new Set<string>();
  const overrides = new Map<string, unknown>();

  function physicalOf(id: string, res: CfnResource): PhysicalResource {
    let p = physical.get(id);
    if (p) return p;
    const nameProp = own(NAME_PROPERTY, res.Type);
    let name: unknown;
    if (nameProp && res.Properties?.[nameProp] !== undefined) {
      if (naming.has(id)) {
        warn(`${id}: ${nameProp} refers to itself; using a generated name`);
      } else {
        naming.add(id);
        try {
          name = r(res.Properties[nameProp], id);
        } finally {
          naming.delete(id);
        }
      }
    }
    const props =
      res.Type.startsWith('AWS::Lambda::') || res.Type === 'AWS::ApiGateway::Stage' ? shallow(res, id) : {};
    p = physicalResource(res.Type, id, name, props, context);
    physical.set(id, p);
    return p;
  }

  // The few properties some ids are built from (an alias's function, a stage's name), resolved one level.
  function shallow(res: CfnResource, id: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of ['FunctionName', 'Name', 'StageName']) {
      const v = res.Properties?.[k];
      if (v !== undefined && res.Type !== 'AWS::Lambda::Function') out[k] = r(v, id);
    }
    return out;
  }

  function parameter(name: string, where: string): unknown {
    const decl = own(template.Parameters, name);
    if (!decl) return undefined;
    const v = own(opts.parameters, name) ?? decl.Default;
    if (PSEUDO_SSM.test(decl.Type)) {
      warn(
        `${where}: parameter ${name} is an SSM parameter type (${decl.Type}); using its name ${String(v)}`,
      );
    }
    if (v === undefined) {
      warn(`${where}: parameter ${name} has no value (no Default, no override)`);
      return '';
    }
    if (decl.Type === 'CommaDelimitedList' || decl.Type.startsWith('List<')) {
      return Array.isArray(v) ? v : String(v).split(',');
    }
    return v;
  }

  function ref(name: string, where: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return context.region;
      case 'AWS::AccountId':
        return context.accountId;
      case 'AWS::StackName':
        return context.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${context.region}:${context.accountId}:stack/${context.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::Partition':
        return context.partition;
      case 'AWS::URLSuffix':
        return context.urlSuffix;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    if (own(template.Parameters, name)) return parameter(name, where);
    const res = own(resources, name);
    if (!res) {
      warn(`${where}: Ref to unknown ${name}`);
      return name;
    }
    if (!isIncluded(name)) warn(`${where}: Ref to ${name}, which its Condition excludes`);
    return physicalOf(name, res).ref;
  }

  function getAtt(id: string, attr: string, where: string): unknown {
    const o = overrides.get(`${id}.${attr}`);
    if (o !== undefined) return o;
    const res = own(resources, id);
    if (!res) {
      warn(`${where}: Fn::GetAtt to unknown resource ${id}`);
      return `${id}.${attr}`;
    }
    const v = physicalOf(id, res).attr(attr);
    if (v === undefined) {
      warn(`${where}: Fn::GetAtt ${id}.${attr} (${res.Type}) is not known locally; using a placeholder`);
      return `${id}.${attr}`;
    }
    return v;
  }

  function condition(name: string): boolean {
    const c = conditions.get(name);
    if (c !== undefined) return c;
    const expr = own(template.Conditions, name);
    if (expr === undefined) {
      warn(`unknown condition ${name}; taking it as false`);
      return false;
    }
    if (evaluating.has(name)) {
      warn(`condition ${name} refers to itself; taking it as false`);
      return false;
    }
    evaluating.add(name);
    try {
      const v = cond(expr, `Conditions.${name}`);
      conditions.set(name, v);
      return v;
    } finally {
      evaluating.delete(name);
    }
  }

  function cond(expr: unknown, where: string): boolean {
    if (typeof expr === 'boolean') return expr;
    if (expr && typeof expr === 'object' && !Array.isArray(expr)) {
      const o = expr as Record<string, unknown>;
      if (typeof o['Condition'] === 'string' && Object.keys(o).length === 1) return condition(o['Condition']);
    }
    const v = r(expr, where);
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    warn(`${where}: condition does not evaluate to a boolean (${JSON.stringify(v)}); taking it as false`);
    return false;
  }

  function isIncluded(id: string): boolean {
    const c = own(resources, id)?.Condition;
    return c === undefined ? true : condition(c);
  }

  function text(v: unknown, where: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    warn(`${where}: expected a string, got ${JSON.stringify(v)}`);
    return JSON.stringify(v) ?? '';
  }

  function sub(tpl: string, vars: Record<string, unknown>, where: string): string {
    return tpl.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const key = name.trim();
      if (Object.hasOwn(vars, key)) return text(vars[key], where);
      if (!key.includes('::') && key.includes('.')) {
        const dot = key.indexOf('.');
        return text(getAtt(key.slice(0, dot), key.slice(dot + 1), where), where);
      }
      return text(ref(key, where), where);
    });
  }

  function secretValue(idOrArn: string, where: string): string | undefined {
    for (const [id, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::SecretsManager::Secret' || !isIncluded(id)) continue;
      const p = physicalOf(id, res);
      const arn = String(p.ref);
      const name = String(p.attr('Name'));
      if (idOrArn !== arn && idOrArn !== name && !arn.startsWith(`${idOrArn}-`)) continue;
      const props = res.Properties ?? {};
      if (props['SecretString'] !== undefined) return text(r(props['SecretString'], id), id);
      const spec = (r(props['GenerateSecretString'] ?? {}, id) ?? {}) as GenerateSecretStringSpec;
      return secrets.get(`${context.stackName}/${id}`, () => generateSecretString(spec));
    }
    warn(
      `${where}: secret ${idOrArn} is not declared in the template; its dynamic reference is left as written`,
    );
    return undefined;
  }

  function dynamicRefs(s: string, where: string): string {
    if (!s.includes('{{resolve:')) return s;
    return s.replace(/\{\{resolve:([^}]*)\}\}/g, (whole, body: string) => {
      if (!body.startsWith('secretsmanager:')) {
        warn(`${where}: dynamic reference {{resolve:${body.split(':')[0]}:...}} is not supported locally`);
        return whole;
      }
      let rest = body.slice('secretsmanager:'.length);
      let id: string;
      if (rest.startsWith('arn:')) {
        // arn:partition:secretsmanager:region:account:secret:name-suffix  (7 segments)
        const parts = rest.split(':');
        id = parts.slice(0, 7).join(':');
        rest = parts.slice(7).join(':');
      } else {
        const i = rest.indexOf(':');
        id = i < 0 ? rest : rest.slice(0, i);
        rest = i < 0 ? '' : rest.slice(i + 1);
      }
      const [field = '', jsonKey = ''] = rest.split(':');
      if (field === '') return secretValue(id, where) ?? whole;
      if (field !== 'SecretString') {
        warn(`${where}: dynamic reference field ${field} is not supported; only SecretString`);
        return whole;
      }
      const value = secretValue(id, where);
      if (value === undefined) return whole;
      if (!jsonKey) return value;
      try {
        const json: unknown = JSON.parse(value);
        const v = typeof json === 'object' ? own(json as Record<string, unknown>, jsonKey) : undefined;
        if (v === undefined) {
          warn(`${where}: secret ${id} has no key ${jsonKey}`);
          return '';
        }
        return typeof v === 'string' ? v : JSON.stringify(v);
      } catch {
        warn(`${where}: secret ${id} is not JSON; cannot take key ${jsonKey}`);
        return whole;
      }
    });
  }

  function list(v: unknown, fn: string, where: string): unknown[] {
    if (Array.isArray(v)) return v;
    warn(`${where}: ${fn} expects a list, got ${JSON.stringify(v)}`);
    return [];
  }

  function intrinsic(key: string, arg: unknown, where: string): unknown {
    switch (key) {
      case 'Ref':
        return ref(String(r(arg, where)), where);
      case 'Fn::GetAtt': {
        const a =
          typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : arg;
        const [id, attr] = list(a, key, where);
        return getAtt(String(id), String(r(attr, where)), where);
      }
      case 'Fn::Join': {
        const [delim, items] = list(arg, key, where);
        return list(r(items, where), key, where)
          .map((x) => text(x, where))
          .join(String(delim));
      }
      case 'Fn::Select': {
        const [index, items] = list(arg, key, where);
        const arr = list(r(items, where), key, where);
        const i = Number(r(index, where));
        if (!Number.isInteger(i) || i < 0 || i >= arr.length) {
          warn(`${where}: Fn::Select index ${i} out of range (${arr.length} items)`);
          return '';
        }
        return arr[i];
      }
      case 'Fn::Split': {
        const [delim, s] = list(arg, key, where);
        return text(r(s, where), where).split(String(delim));
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return sub(arg, {}, where);
        const [tpl, vars] = list(arg, key, where);
        const resolvedVars = dict<unknown>();
        for (const [k, v] of Object.entries((vars ?? {}) as Record<string, unknown>))
          resolvedVars[k] = r(v, where);
        return sub(text(r(tpl, where), where), resolvedVars, where);
      }
      case 'Fn::If': {
        const [c, a, b] = list(arg, key, where);
        return condition(String(c)) ? r(a, where) : r(b, where);
      }
      case 'Fn::Equals': {
        const [a, b] = list(arg, key, where);
        return JSON.stringify(r(a, where)) === JSON.stringify(r(b, where));
      }
      case 'Fn::Not':
        return !cond(list(arg, key, where)[0], where);
      case 'Fn::And':
        return list(arg, key, where).every((c) => cond(c, where));
      case 'Fn::Or':
        return list(arg, key, where).some((c) => cond(c, where));
      case 'Fn::FindInMap': {
        const [m, top, second, dflt] = list(arg, key, where);
        const mapName = String(r(m, where));
        const k1 = String(r(top, where));
        const k2 = String(r(second, where));
        const map = own(template.Mappings, mapName) as Record<string, Record<string, unknown>> | undefined;
        const v = own(own(map, k1), k2);
        if (v !== undefined) return r(v, where);
        const d = (dflt as { DefaultValue?: unknown } | undefined)?.DefaultValue;
        if (d !== undefined) return r(d, where);
        warn(`${where}: Fn::FindInMap ${mapName}.${k1}.${k2} not found`);
        return '';
      }
      case 'Fn::ImportValue': {
        const name = text(r(arg, where), where);
        warn(`${where}: Fn::ImportValue ${name} needs another stack; using "imported:${name}"`);
        return `imported:${name}`;
      }
      case 'Fn::Base64':
        return Buffer.from(text(r(arg, where), where), 'utf8').toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${context.region}${z}`);
      case 'Fn::Length':
        return list(r(arg, where), key, where).length;
      case 'Fn::ToJsonString':
        return JSON.stringify(r(arg, where));
      case 'Condition':
        return condition(String(arg));
      default:
        warn(`${where}: ${key} is not supported locally; value left unresolved`);
        return arg;
    }
  }

  function r(v: unknown, where: string): unknown {
    if (typeof v === 'string') return dynamicRefs(v, where);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) {
        const y = r(x, where);
        if (y !== NO_VALUE) out.push(y);
      }
      return out;
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0]!;
      if (k === 'Ref' || k.startsWith('Fn::')) {
        const res = intrinsic(k, o[k], where);
        return typeof res === 'string' ? dynamicRefs(res, where) : res;
      }
    }
    // An ordinary object (what consumers of the template expect), with a `__proto__` member kept as data.
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const y = r(o[k], where);
      if (y === NO_VALUE) continue;
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
      else out[k] = y;
    }
    return out;
  }

  return {
    resolve: (value, where = 'template') => {
      const v = r(value, where);
      return v === NO_VALUE ? undefined : v;
    },
    context,
    ref: (id) => ref(id, id),
    getAtt: (id, attr) => getAtt(id, attr, id),
    condition,
    isIncluded,
    setAttribute: (id, attr, value) => {
      overrides.set(`${id}.${attr}`, value);
    },
  };
}

/** Resolves the properties of one resource, warnings naming it. */
export function resolveProperties(
  resolver: Resolver,
  logicalId: string,
  res: CfnResource,
): Record<string, unknown> {
  return (resolver.resolve(res.Properties ?? {}, logicalId) ?? {}) as Record<string, unknown>;
}
