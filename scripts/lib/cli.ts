/**
 * Command lines of the project's scripts: node:util `parseArgs` in strict mode (an unknown option,
 * a missing value or an unexpected positional is an error, so a typo never runs the wrong job),
 * plus the `--help` / `-h` that every script answers with its usage text.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** The option every script takes. */
const HELP = { help: { type: "boolean", short: "h" } } as const;

/** What a script accepts: its usage text and its options in node:util `parseArgs` form. */
export interface CommandSpec<O extends ParseArgsOptionsConfig, P extends boolean> {
  /** Printed for `--help`, and after the problem on a bad command line. */
  usage: string;
  options: O;
  /** Whether the script takes positional arguments (default false). */
  allowPositionals?: P;
}

/** `parseArgs`'s result for a spec: `values` (with `help`) and `positionals`. */
export type ParsedCommandLine<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: P; strict: true }>
>;

/** A command line that cannot be parsed; the message names the problem, then gives the usage. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Parse a command line without acting on it (for scripts that report through exit codes and for tests).
 * @param argv the arguments after the script's path
 * @returns `values.help` is true when `--help` or `-h` was given
 * @throws UsageError on an unknown option, a missing value, or a positional where none is taken
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig, const P extends boolean = false>(
  argv: readonly string[],
  spec: CommandSpec<O, P>,
): ParsedCommandLine<O, P> {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...spec.options, ...HELP },
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    }) as ParsedCommandLine<O, P>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) throw new UsageError(`${(error as Error).message}\n\n${spec.usage}`);
    throw error;
  }
}

/**
 * Read this process's command line: on `--help` print the usage to stdout and exit 0; on a bad
 * command line print the problem and the usage to stderr and exit 2. `interpret` turns the parsed
 * options into what the script uses (numbers, checked choices); a UsageError it throws is a bad
 * command line too.
 * @param argv the arguments after the script's path (default: this process's)
 * @returns what `interpret` returns, or the parsed command line without it
 */
export function readCommandLine<const O extends ParseArgsOptionsConfig, const P extends boolean = false, R = ParsedCommandLine<O, P>>(
  spec: CommandSpec<O, P> & { interpret?: (parsed: ParsedCommandLine<O, P>) => R },
  argv: readonly string[] = process.argv.slice(2),
): R {
  try {
    const parsed = parseCommandLine(argv, spec);
    if ((parsed.values as { help?: boolean }).help) {
      console.log(spec.usage);
      process.exit(0);
    }
    return spec.interpret ? spec.interpret(parsed) : (parsed as R);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message.includes(spec.usage) ? error.message : `${error.message}\n\n${spec.usage}`);
    process.exit(2);
  }
}

/**
 * A positive integer option, or undefined when absent.
 * @throws UsageError naming the option and the value given
 */
export function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n <= 0) throw new UsageError(`--${option} must be a positive integer, got "${value}"`);
  return n;
}

/**
 * A positive number option, or undefined when absent.
 * @throws UsageError naming the option and the value given
 */
export function positiveNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${option} must be a positive number, got "${value}"`);
  return n;
}
