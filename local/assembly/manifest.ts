/**
 * Reads a CDK cloud assembly directory (`cdk.out`): `manifest.json`, its `aws:cloudformation:stack` artifacts,
 * their templates and asset manifests. Nested assemblies (`cdk:cloud-assembly`, e.g. CDK Stages) are read too.
 *
 * Not read: Docker image assets, context, stack tags, `Rules` (e.g. CDK's bootstrap-version check).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CfnTemplate } from '../types';

/** The part of `<stack>.assets.json` the twin uses. */
export interface AssetManifest {
  readonly files?: Readonly<
    Record<
      string,
      {
        readonly source: { readonly path?: string; readonly packaging?: string };
        readonly destinations?: Readonly<Record<string, { readonly objectKey?: string }>>;
      }
    >
  >;
}

/** One deployable stack of the assembly. */
export interface StackArtifact {
  /** The artifact id in `manifest.json`. */
  readonly artifactId: string;
  /** `properties.stackName`, or the artifact id. */
  readonly stackName: string;
  /** The directory the template and its assets live in (absolute). */
  readonly dir: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
  readonly assets?: AssetManifest;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly stacks: readonly StackArtifact[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly file?: string;
    readonly directoryName?: string;
  };
  readonly dependencies?: readonly string[];
}

/** Thrown when the directory is not a cloud assembly; its message is for a person. */
export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Reads every stack of the assembly at `dir` (recursing into nested assemblies). */
export function readCloudAssembly(dir: string): CloudAssembly {
  const root = resolve(dir);
  const manifestFile = join(root, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new AssemblyError(`${root} is not a cloud assembly (no manifest.json); run \`cdk synth\` first`);
  }
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(manifestFile);
  const artifacts = manifest.artifacts ?? {};
  const stacks: StackArtifact[] = [];
  for (const [artifactId, a] of Object.entries(artifacts)) {
    if (a.type === 'cdk:cloud-assembly' && a.properties?.directoryName) {
      stacks.push(...readCloudAssembly(join(root, a.properties.directoryName)).stacks);
      continue;
    }
    if (a.type !== 'aws:cloudformation:stack' || !a.properties?.templateFile) continue;
    const templateFile = join(root, a.properties.templateFile);
    const assetsId = a.dependencies?.find((d) => artifacts[d]?.type === 'cdk:asset-manifest');
    const assetsName = (assetsId && artifacts[assetsId]?.properties?.file) || `${artifactId}.assets.json`;
    const assetsFile = join(root, assetsName);
    stacks.push({
      artifactId,
      stackName: a.properties.stackName ?? artifactId,
      dir: root,
      templateFile,
      template: readJson<CfnTemplate>(templateFile),
      ...(existsSync(assetsFile) ? { assets: readJson<AssetManifest>(assetsFile) } : {}),
    });
  }
  return { dir: root, stacks };
}

/**
 * The one stack to run: the one named `stackName` (stack name or artifact id), or the only one.
 * Throws {@link AssemblyError} listing the choices otherwise.
 */
export function selectStack(assembly: CloudAssembly, stackName?: string): StackArtifact {
  const names = assembly.stacks.map((s) => s.stackName).join(', ');
  if (stackName) {
    const s = assembly.stacks.find((x) => x.stackName === stackName || x.artifactId === stackName);
    if (!s) throw new AssemblyError(`no stack ${stackName} in ${assembly.dir} (stacks: ${names || 'none'})`);
    return s;
  }
  if (assembly.stacks.length !== 1) {
    throw new AssemblyError(
      assembly.stacks.length === 0
        ? `no stack in ${assembly.dir}`
        : `${assembly.dir} has ${assembly.stacks.length} stacks (${names}); choose one`,
    );
  }
  return assembly.stacks[0]!;
}
