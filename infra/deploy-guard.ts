/**
 * Synth-time refusals: configurations that would deploy a stack nobody can use. A `node.addValidation` error
 * fails `cdk synth`, `cdk diff` and `cdk deploy` alike, before anything reaches CloudFormation.
 * @module
 */
import type { Stack } from 'aws-cdk-lib';
import { type ApiConfig, PLACEHOLDER_ISSUER } from './config';

/**
 * Refuses the placeholder issuer outside stage `local`: such a stack rejects every token, so its API answers
 * only 401s. `-c allowPlaceholderIssuer=true` forces it (e.g. to try the deploy pipeline before an issuer exists).
 */
export function refusePlaceholderIssuer(stack: Stack, config: ApiConfig, allowed: boolean): void {
  if (!config.placeholderIssuer || config.stage === 'local' || allowed) return;
  stack.node.addValidation({
    validate: () => [
      `No JWT issuer configured for stage "${config.stage}": the placeholder ${PLACEHOLDER_ISSUER} rejects every ` +
        'token. Set -c jwtIssuer=<issuer URL> -c jwtAudience=<audience> (see docs/deploy.md), or force it with ' +
        '-c allowPlaceholderIssuer=true.',
    ],
  });
}
