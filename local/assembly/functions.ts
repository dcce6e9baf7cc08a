/**
 * Turns the template's `AWS::Lambda::Function` resources into {@link FunctionSpec}s for the Lambda runtime.
 *
 * Code is found, in order: `Metadata['aws:asset:path']` (set by the CDK CLI), then the hash in `Code.S3Key`
 * matched against the stack's asset manifest (`<hash>.zip` object keys or the asset hash), then inline
 * `Code.ZipFile`. Emulated properties: `Handler`, `Runtime` (Node.js only), `MemorySize` (default 128),
 * `Timeout` (default 3), `ReservedConcurrentExecutions`, `Environment.Variables` (resolved to strings; a name
 * outside Lambda's pattern is left out with a warning),
 * `FunctionName`, `LoggingConfig.LogGroup`. Ignored with a warning: non-Node runtimes and container images
 * (skipped), `Layers` (not mounted), zipped file assets (skipped), JSON `LoggingConfig.LogFormat`.
 * Ignored silently (no local meaning): `Role`, `Architectures`, `VpcConfig`, `TracingConfig`, `DeadLetterConfig`,
 * `EphemeralStorage`, `Tags`.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionSpec, Log } from '../types';
import type { AssetManifest, StackArtifact } from './manifest';
import type { Resolver } from './resolver';

/** The asset folder of a function, or undefined (with the reason) when none can be found. */
export function findAssetDir(
  stack: Pick<StackArtifact, 'dir' | 'assets'>,
  metadata: Readonly<Record<string, unknown>> | undefined,
  s3Key: unknown,
): { dir: string } | { reason: string } {
  const metaPath = metadata?.['aws:asset:path'];
  if (typeof metaPath === 'string') return checkDir(join(stack.dir, metaPath));
  if (typeof s3Key !== 'string') return { reason: 'no aws:asset:path metadata and no S3Key' };
  const files: AssetManifest['files'] = stack.assets?.files ?? {};
  const hash =
    s3Key
      .replace(/\.zip$/, '')
      .split('/')
      .at(-1) ?? '';
  const direct = Object.hasOwn(files, hash) ? files[hash] : undefined;
  const match =
    direct ??
    Object.values(files).find((f) =>
      Object.values(f.destinations ?? {}).some(
        (d) => d.objectKey === s3Key || d.objectKey?.endsWith(`/${s3Key}`),
      ),
    );
  if (match?.source.path) return checkDir(join(stack.dir, match.source.path));
  const guess = join(stack.dir, `asset.${hash}`);
  if (hash && existsSync(guess)) return checkDir(guess);
  return { reason: `no asset for S3Key ${s3Key} in the asset manifest` };
}

function checkDir(dir: string): { dir: string } | { reason: string } {
  if (!existsSync(dir)) return { reason: `asset ${dir} does not exist` };
  if (!statSync(dir).isDirectory())
    return { reason: `asset ${dir} is a file (zipped assets are not supported)` };
  return { dir };
}

/**
 * Lambda's pattern for a variable name (API reference, `Environment.Variables`: `[a-zA-Z]([a-zA-Z0-9_])+`), except
 * that a one-letter name is still taken: only the characters are checked.
 */
const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * A function's variables as strings, each an own member (`toString` and `constructor` are valid names). A name
 * Lambda refuses (`__proto__`, `_X`, `A-B`) fails a deployment; here it is left out with a warning.
 */
function variables(id: string, vars: Readonly<Record<string, unknown>>, log: Log): Record<string, string> {
  const kept = Object.entries(vars).filter(([k]) => {
    if (VARIABLE_NAME.test(k)) return true;
    log(`warning: ${id}: environment variable ${JSON.stringify(k)} is not a name Lambda accepts; left out`);
    return false;
  });
  return Object.fromEntries(kept.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** Every Node.js function of the stack, resolved; others are skipped with a warning through `log`. */
export function functionSpecs(stack: StackArtifact, resolver: Resolver, log: Log = () => {}): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  for (const [id, res] of Object.entries(stack.template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function' || !resolver.isIncluded(id)) continue;
    const props = (resolver.resolve(res.Properties ?? {}, id) ?? {}) as Record<string, unknown>;
    const runtime = String(props['Runtime'] ?? '');
    if (props['PackageType'] === 'Image') {
      log(`warning: ${id}: container image functions are not supported locally; skipped`);
      continue;
    }
    if (!runtime.startsWith('nodejs')) {
      log(`warning: ${id}: runtime ${runtime || '(none)'} is not supported locally (Node.js only); skipped`);
      continue;
    }
    const code = (props['Code'] ?? {}) as Record<string, unknown>;
    let codeDir: string | undefined;
    let inlineCode: string | undefined;
    if (typeof code['ZipFile'] === 'string') {
      inlineCode = code['ZipFile'];
    } else {
      const found = findAssetDir(stack, res.Metadata, code['S3Key']);
      if ('reason' in found) {
        log(`warning: ${id}: ${found.reason}; skipped`);
        continue;
      }
      codeDir = found.dir;
    }
    if (Array.isArray(props['Layers']) && props['Layers'].length > 0) {
      log(`warning: ${id}: Layers are not mounted locally; code from layers will not be found`);
    }
    const logging = (props['LoggingConfig'] ?? {}) as Record<string, unknown>;
    if (logging['LogFormat'] === 'JSON') {
      log(`warning: ${id}: LoggingConfig.LogFormat JSON is not emulated; logs use the text format`);
    }
    const vars = ((props['Environment'] as Record<string, unknown> | undefined)?.['Variables'] ??
      {}) as Record<string, unknown>;
    const environment = variables(id, vars, log);
    const reserved = props['ReservedConcurrentExecutions'];
    out.push({
      logicalId: id,
      functionName: String(resolver.ref(id)),
      functionArn: String(resolver.getAtt(id, 'Arn')),
      handler: String(props['Handler'] ?? 'index.handler'),
      runtime,
      memoryMb: Number(props['MemorySize'] ?? 128),
      timeoutSeconds: Number(props['Timeout'] ?? 3),
      ...(reserved !== undefined ? { reservedConcurrency: Number(reserved) } : {}),
      environment,
      ...(codeDir ? { codeDir } : {}),
      ...(inlineCode !== undefined ? { inlineCode } : {}),
      ...(typeof logging['LogGroup'] === 'string' ? { logGroupName: logging['LogGroup'] } : {}),
    });
  }
  return out;
}
