/**
 * CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Also run directly by the offline twin with
 * `CDK_OUTDIR` and `CDK_CONTEXT_JSON` set (e.g. `{"stage":"local","jwtIssuer":"http://127.0.0.1:...",...}`).
 * @module
 */
import { ConfigError } from './config';
import { createApp } from './stack';

try {
  createApp().app.synth();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  console.error('See infra/config.ts or docs/deploy.md for every key and its default.');
  process.exitCode = 1;
}
