/**
 * The local Lambda service: worker-thread execution environments for the template's functions.
 * @module
 */

export type { LambdaEnvOptions } from './env';
export { lambdaEnvironment, logGroupOf, logStreamName } from './env';
export type { HandlerLocation } from './handler-file';
export { locateHandler } from './handler-file';
export type { EnvironmentHandle, EnvironmentHost } from './hosts';
export { childHost, inProcessHost } from './hosts';
export type { ReportFields } from './log-format';
export { endLine, reportLine, startLine, timeoutMessage } from './log-format';
export type { NodeChoice, NodeLookup } from './node-select';
export { chooseNode, declaredMajor } from './node-select';
export type { PoolStats } from './pool';
export type { FunctionStats, LambdaRuntime, LambdaRuntimeOptions } from './runtime';
export { createLambdaRuntime, findRuntimeNodeModules, lacksOwnSdk } from './runtime';
