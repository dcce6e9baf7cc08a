/**
 * Lambda authorizers: reading identity sources, validating the authorizer's answer, and the policy cache.
 * @module
 */
import { dict, own } from './dict';
import type { Authorizer } from './model';
import { parseStatements, type Statement } from './policy';
import { headerValue } from './request';

/** What a successful authorizer answered, kept in the cache. */
export interface AuthorizerAnswer {
  readonly principalId: string;
  readonly statements: readonly Statement[];
  /** `context`, values stringified. */
  readonly context: Readonly<Record<string, string>>;
  readonly usageIdentifierKey?: string;
}

/** Where identity sources are read from. */
export interface IdentityInputs {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>> | null;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

/**
 * The identity source values of a request, in order; `undefined` when one is missing or empty (API Gateway then
 * answers 401 without calling the authorizer).
 */
export function identityValues(a: Authorizer, inp: IdentityInputs): string[] | undefined {
  const out: string[] = [];
  for (const s of a.identitySources) {
    let v: unknown;
    if (s.kind === 'header') v = headerValue(inp.headers, s.name);
    else if (s.kind === 'querystring') v = own(inp.query, s.name);
    else if (s.kind === 'stageVariable') v = own(inp.stageVariables, s.name);
    else
      v = s.name
        .split('.')
        .reduce<unknown>(
          (o, k) => (typeof o === 'object' && o !== null ? own(o as Record<string, unknown>, k) : undefined),
          inp.context,
        );
    if (v === undefined || v === null || v === '') return undefined;
    out.push(String(v));
  }
  return out;
}

/** Validates an authorizer's output; a string says why it is unusable (API Gateway: 500, AuthorizerConfigurationException). */
export function parseAuthorizerAnswer(payload: unknown): AuthorizerAnswer | string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return 'output is not an object';
  const o = payload as Record<string, unknown>;
  const pid = o['principalId'];
  if ((typeof pid !== 'string' && typeof pid !== 'number') || pid === '') return 'principalId is missing';
  const statements = parseStatements(o['policyDocument']);
  if (typeof statements === 'string') return statements;
  const context = dict<string>();
  const c = o['context'];
  if (c !== undefined && c !== null) {
    if (typeof c !== 'object' || Array.isArray(c)) return 'context is not an object';
    for (const [k, v] of Object.entries(c)) {
      if (v === null || v === undefined) continue;
      // "You cannot set a JSON object or array as a valid value of any key in the context map."
      if (typeof v === 'object') return `context.${k} is an object or array`;
      context[k] = String(v);
    }
  }
  const key = o['usageIdentifierKey'];
  return {
    principalId: String(pid),
    statements,
    context,
    ...(typeof key === 'string' ? { usageIdentifierKey: key } : {}),
  };
}

/** Authorizer answers by identity, for `AuthorizerResultTtlInSeconds`; a cached policy is re-evaluated per method ARN. */
export class AuthorizerCache {
  private readonly entries = new Map<string, { answer: AuthorizerAnswer; expires: number }>();
  private readonly maxEntries: number;

  constructor(
    private readonly now: () => number,
    maxEntries = 10_000,
  ) {
    this.maxEntries = maxEntries;
  }

  /** The cached answer for a key, if still fresh. */
  get(key: string): AuthorizerAnswer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.answer;
  }

  /** Keeps an answer for `ttlSeconds` (0: not at all). */
  set(key: string, answer: AuthorizerAnswer, ttlSeconds: number): void {
    if (ttlSeconds <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { answer, expires: this.now() + ttlSeconds * 1000 });
  }

  clear(): void {
    this.entries.clear();
  }
}
