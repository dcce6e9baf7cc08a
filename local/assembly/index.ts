/**
 * The assembly reader: a synthesized CDK cloud assembly in, resolved resources out.
 * @module
 */
export { findAssetDir, functionSpecs } from './functions';
export type { LoadedStack, LoadStackOptions } from './load';
export { loadStack } from './load';
export type { AssetManifest, CloudAssembly, StackArtifact } from './manifest';
export { AssemblyError, readCloudAssembly, selectStack } from './manifest';
export type { PhysicalContext, PhysicalResource } from './physical';
export { NAME_PROPERTY, physicalResource, SUPPORTED_TYPES, shortId } from './physical';
export type { Resolver, ResolverOptions } from './resolver';
export { createResolver, resolveProperties } from './resolver';
export type { GenerateSecretStringSpec, SecretStore } from './secrets';
export { createSecretStore, generateSecretString } from './secrets';
