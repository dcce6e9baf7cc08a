/**
 * The twin's first check when it is to start DynamoDB Local: Java 17 or newer on the PATH. It runs before the
 * synth, so a missing or old Java is reported at once with the install hint, not after tens of seconds.
 * `java -version` writes its banner to stderr (stdout stays empty), so both are read.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { EngineStartError } from './engine/index';

/** How to install Java, as the README says. */
export const JAVA_INSTALL_HINT =
  'install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and try again';

/** The major version in a `java -version` banner (`1.8.0_392` is 8), or undefined when there is none. */
export function javaMajor(banner: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(banner) ?? /^(?:openjdk|java) (\d+)/m.exec(banner);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/** Throws {@link EngineStartError} (a message for a person) unless `java -version` reports 17 or newer. */
export function requireJava17(
  run: () => { error?: Error; stdout?: string; stderr?: string } = () =>
    spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 10_000 }),
): void {
  const r = run();
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new EngineStartError(
      `Java was not found. DynamoDB Local needs Java 17 or newer: ${JAVA_INSTALL_HINT}. ` +
        'Or set DYNAMODB_ENDPOINT to a running DynamoDB-compatible endpoint.',
    );
  }
  const major = javaMajor(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (major === undefined) {
    throw new EngineStartError(
      `\`java -version\` did not say which Java it is (${r.error?.message ?? 'no version in its output'}). ` +
        `DynamoDB Local needs Java 17 or newer: ${JAVA_INSTALL_HINT}.`,
    );
  }
  if (major < 17) {
    throw new EngineStartError(
      `Java ${major} was found, but DynamoDB Local needs Java 17 or newer: ${JAVA_INSTALL_HINT}.`,
    );
  }
}
