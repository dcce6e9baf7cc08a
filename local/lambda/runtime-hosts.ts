/**
 * One {@link EnvironmentHost} per declared runtime, chosen once ({@link chooseNode}): the twin's own worker
 * threads when its Node is the declared major, else one child process of the matching Node, shared by every
 * function of that runtime. Says at start which Node runs which functions, and warns where the declared major
 * could not be matched.
 * @module
 */
import type { FunctionSpec, Log } from '../types';
import { childHost, type EnvironmentHost, inProcessHost } from './hosts';
import type { NodeChoice } from './node-select';

/** The hosts of a Lambda runtime, by declared runtime. */
export interface RuntimeHosts {
  hostFor(runtime: string): EnvironmentHost;
  /** The Node.js version that runs a runtime's environments (`v24.21.0`). */
  versionFor(runtime: string): string;
  /** Ends the child processes. */
  stop(): Promise<void>;
}

/** Picks, announces and keeps the hosts for the given functions (child processes start on first use). */
export function runtimeHosts(
  functions: readonly FunctionSpec[],
  nodeFor: (runtime: string) => NodeChoice,
  log: Log,
): RuntimeHosts {
  const inProcess = inProcessHost();
  const choices = new Map<string, NodeChoice>();
  const hosts = new Map<string, EnvironmentHost>();
  const choose = (runtime: string): NodeChoice => {
    let c = choices.get(runtime);
    if (!c) {
      c = nodeFor(runtime);
      choices.set(runtime, c);
    }
    return c;
  };
  const byRuntime = new Map<string, string[]>();
  for (const f of functions) {
    const names = byRuntime.get(f.runtime) ?? [];
    names.push(f.functionName);
    byRuntime.set(f.runtime, names);
  }
  for (const [runtime, names] of byRuntime) {
    const c = choose(runtime);
    const where = c.inProcess ? "the twin's worker threads" : `one child process, ${c.source}`;
    log(`Lambda: ${runtime} on Node.js ${c.version} (${where}): ${names.join(', ')}`);
    if (c.warning) log(`warning: ${names.join(', ')}: ${c.warning}`);
  }
  return {
    hostFor(runtime) {
      let h = hosts.get(runtime);
      if (!h) {
        const c = choose(runtime);
        h = c.inProcess ? inProcess : childHost(c.path, c.version, log);
        hosts.set(runtime, h);
      }
      return h;
    },
    versionFor: (runtime) => choose(runtime).version,
    async stop() {
      await Promise.all([...hosts.values()].map((h) => h.stop()));
    },
  };
}
