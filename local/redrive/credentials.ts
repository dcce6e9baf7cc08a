/**
 * Credentials for the commands that call AWS (`npm run redrive`, `npm run backfill`): the AWS SDK's default
 * chain (environment, profiles, SSO, instance roles), resolved by a client of the twin's own SDK, which the
 * commands then use to sign their requests with `aws4`.
 * @module
 */
import type { Credentials } from './api';

/** Resolves the default credential chain for `region`. */
export async function awsCredentials(region: string): Promise<Credentials> {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ region });
  try {
    const c = await client.config.credentials();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    };
  } finally {
    client.destroy();
  }
}
