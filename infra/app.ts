/**
 * CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Also run directly by the offline twin with
 * `CDK_OUTDIR` and `CDK_CONTEXT_JSON` set (e.g. `{"stage":"local","jwtIssuer":"http://127.0.0.1:...",...}`).
 * @module
 */
import { ConfigError } from './config';
import { createApp } from './stack';

try {
  // No auto-synth at exit: it would synthesize (and fail) a second time after the error below is reported.
  createApp({ autoSynth: false }).app.synth();
} catch (e) {
  // A refusal (infra/deploy-guard.ts) is the user's to fix: its message, not a stack trace.
  const refused = e instanceof Error && e.message.startsWith('Validation failed with the following errors');
  if (!(e instanceof ConfigError) && !refused) throw e;
  console.error((e as Error).message);
  console.error('See docs/deploy.md for every key and its default.');
  process.exitCode = 1;
}
