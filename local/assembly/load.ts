/**
 * One call from an assembly directory to what the rest of the twin needs: the stack, its resolver (with
 * secrets kept under the data dir) and a way to get the function specs.
 * @module
 */
import type { FunctionSpec, Log } from '../types';
import { functionSpecs } from './functions';
import { readCloudAssembly, type StackArtifact, selectStack } from './manifest';
import { createResolver, type Resolver } from './resolver';
import { createSecretStore } from './secrets';

export interface LoadStackOptions {
  /** The cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /** Which stack, when the assembly has several. */
  readonly stackName?: string;
  /** Keeps generated secrets here (`secrets.json`); in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly log?: Log;
}

export interface LoadedStack {
  readonly stack: StackArtifact;
  readonly resolver: Resolver;
  /**
   * The functions, resolved now: call it after the engine reported real attributes (`setAttribute`, e.g. the
   * tables' `StreamArn`) so variables that reference them get the real values.
   */
  functions(): FunctionSpec[];
}

/**
 * Reads the assembly and binds a resolver to the chosen stack.
 * @example
 * const { stack, resolver, functions } = loadStack({ assemblyDir: 'cdk.out', dataDir: '.data', log });
 * const tables = await createTables(stack.template, resolver.resolve, engine.endpoint, { isIncluded: resolver.isIncluded });
 * for (const t of tables) if (t.streamArn) resolver.setAttribute(t.logicalId, 'StreamArn', t.streamArn);
 * const lambda = createLambdaRuntime({ functions: functions(), endpoints: { dynamodb: engine.endpoint }, log });
 */
export function loadStack(opts: LoadStackOptions): LoadedStack {
  const stack = selectStack(readCloudAssembly(opts.assemblyDir), opts.stackName);
  const resolver = createResolver(stack.template, {
    stackName: stack.stackName,
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.accountId ? { accountId: opts.accountId } : {}),
    ...(opts.parameters ? { parameters: opts.parameters } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    secrets: createSecretStore(opts.dataDir ? { dataDir: opts.dataDir } : {}),
  });
  return { stack, resolver, functions: () => functionSpecs(stack, resolver, opts.log) };
}
