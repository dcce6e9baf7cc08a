/**
 * The contracts between the parts of the offline twin: assembly reader and intrinsic resolver, Lambda
 * runtime, API Gateway front, DynamoDB engine. Each part lives in its own folder and depends only on these.
 * @module
 */

/** A CloudFormation template as synthesized. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { Value: unknown; Description?: string }>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Parameters?: Readonly<Record<string, { Type: string; Default?: unknown }>>;
  readonly Mappings?: Readonly<Record<string, unknown>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
}

/** Resolves intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, ...) in a template value. */
export type Resolve = (value: unknown) => unknown;

/** What an invocation gave back: the handler's return value, or how it failed. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown }
  | {
      readonly ok: false;
      /** `Runtime.ExitError`, `Sandbox.Timedout`, an error name the handler threw (e.g. `Error`), ... */
      readonly errorType: string;
      readonly errorMessage: string;
      readonly timedOut?: boolean;
    };

/** Invokes a function of the template, by its logical id, with an event. */
export type Invoke = (functionLogicalId: string, event: unknown) => Promise<InvokeResult>;

/** A line-oriented log sink: the twin prefixes and prints. */
export type Log = (line: string) => void;

/**
 * One `AWS::Lambda::Function` of the template, resolved for local use: what the Lambda runtime needs to run it.
 * Produced by the assembly reader, consumed by the Lambda runtime.
 */
export interface FunctionSpec {
  readonly logicalId: string;
  /** The local physical name (`FunctionName`, or `<stackName>-<logicalId>`). */
  readonly functionName: string;
  readonly functionArn: string;
  /** `index.handler`, `dist/app.main`, ... */
  readonly handler: string;
  /** `nodejs20.x`, ... */
  readonly runtime: string;
  /** @default 128 */
  readonly memoryMb: number;
  /** @default 3 */
  readonly timeoutSeconds: number;
  /** `ReservedConcurrentExecutions`, when set. */
  readonly reservedConcurrency?: number;
  /** The function's own variables, intrinsics resolved to strings. */
  readonly environment: Readonly<Record<string, string>>;
  /** Absolute path of the code folder (the asset); absent for inline code. */
  readonly codeDir?: string;
  /** `Code.ZipFile` source, for inline functions. */
  readonly inlineCode?: string;
  /** `LoggingConfig.LogGroup`; @default `/aws/lambda/<functionName>` */
  readonly logGroupName?: string;
  /** Loaded in each environment before the handler (the IAM proxy sets its in-environment check here). */
  readonly preload?: EnvironmentPlugin;
}

/**
 * A module each environment of a function loads before the handler's, with its settings: the runtime passes
 * it through (structured clone) without reading more than `module`. Its `install(settings, log)` export runs
 * first; `log` writes a line to the twin's log.
 */
export interface EnvironmentPlugin {
  /** File URL of an ES module (plain JavaScript: environments run no loader). */
  readonly module: string;
}
