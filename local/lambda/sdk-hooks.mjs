/**
 * Module resolve hook for Lambda workers whose code is outside the twin's tree: a bare specifier the function
 * cannot resolve from its own folder (typically an externalized `@aws-sdk/*`) is resolved again from the twin's
 * node_modules, as the Node.js runtime provides the SDK from `/var/runtime/node_modules`.
 * Registered per worker with `module.register` only when needed (it costs a hooks thread).
 * @module
 */
let fallbackParent;

export function initialize(data) {
  fallbackParent = data.fallbackParent;
}

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.includes(':');
    if (bare && e?.code === 'ERR_MODULE_NOT_FOUND' && fallbackParent) {
      return next(specifier, { ...context, parentURL: fallbackParent });
    }
    throw e;
  }
}
