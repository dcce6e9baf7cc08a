/**
 * Command-line parsing shared by the project's commands (`npm start`, `npm run token`, `npm run bench`):
 * `--help` (or `-h`) prints the usage and exits 0; an unknown option, a missing value or a stray argument
 * prints one line naming it, then the usage, and exits 2 (the shell convention for a usage error). No stack
 * trace reaches the user either way.
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The options of one command, as `node:util` `parseArgs` takes them (`help` is added). */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The values `parseArgs` returns for these options. */
export type ParsedValues<O extends CommandOptions> = ReturnType<typeof parseArgs<{ options: O }>>['values'];

/** What the process does with the outcome: by default, write and exit. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => never;
}

const processIo: CommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  exit: (code) => process.exit(code),
};

/**
 * Parses `args` against `options`; on `--help` or a usage error, writes and exits through `io`.
 * @example
 * const { values } = parseCommandLine('usage: npm run token -- [--sub <s>]', { sub: { type: 'string' } });
 */
export function parseCommandLine<const O extends CommandOptions>(
  usage: string,
  options: O,
  args: readonly string[] = process.argv.slice(2),
  io: CommandIo = processIo,
): { values: ParsedValues<O> } {
  const text = usage.endsWith('\n') ? usage : `${usage}\n`;
  let parsed: { values: Record<string, unknown> };
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      args: [...args],
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    // parseArgs' own messages name the option and, for an unknown one, suggest `--` for a value that looks
    // like one: keep their first line, which is the useful part.
    const line = String((e as Error).message).split('\n')[0];
    io.err(`error: ${line}\n\n${text}`);
    return io.exit(2);
  }
  if (parsed.values['help']) {
    io.out(text);
    return io.exit(0);
  }
  return parsed as { values: ParsedValues<O> };
}

/** A bad value found after parsing: one line naming it, exit 2. */
export function usageError(message: string, io: CommandIo = processIo): never {
  io.err(`error: ${message} (--help for usage)\n`);
  return io.exit(2);
}
