/**
 * `npm run data`: prepares the Fashion-MNIST files the site serves (public/data/fashion-mnist/).
 *
 *   node scripts/data.ts [--from DIR] [--out DIR] [--force]
 *   node scripts/data.ts --check [--out DIR]     exit 0 when prepared data is present and valid
 *
 * Sources, in order: --from DIR (or env FASHION_MNIST_DIR), the Debian package folder
 * /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist), the upstream download.
 * Exit codes: 0 done or up to date, 1 failure (or --check found nothing valid), 2 bad usage.
 */
import { fileURLToPath } from "node:url";
import { PREPARED_DATA_DIR } from "../src/lib/data/files.ts";
import { parseCommandLine, UsageError } from "./lib/cli.ts";
import { checkPreparedData, prepareFashionMnist, PrepareError } from "./lib/prepare-data.ts";

export { checkPreparedData, prepareFashionMnist, PrepareError } from "./lib/prepare-data.ts";
export type { CheckResult, PrepareInternals, PrepareOptions, PrepareResult } from "./lib/prepare-data.ts";

/** The served folder of this checkout, whatever the working directory. */
export const DEFAULT_OUT = fileURLToPath(new URL(`../${PREPARED_DATA_DIR}`, import.meta.url));

const USAGE = `Usage: node scripts/data.ts [--from DIR] [--out DIR] [--force]
       node scripts/data.ts --check [--out DIR]

Prepares the Fashion-MNIST files the site serves, from the first source that works: --from DIR
(or env FASHION_MNIST_DIR), the Debian package dataset-fashion-mnist, the upstream download.

Options:
  --from DIR      folder holding the four IDX files (.gz or decompressed)
  --out DIR       served folder (default public/data/fashion-mnist of this checkout)
  --force         prepare again even when the served files are up to date
  --check         only check the prepared data: exit 0 when present and valid, 1 otherwise
  --help, -h      print this text`;

/** Parsed command line of scripts/data.ts. */
export interface DataArgs {
  from?: string;
  out: string;
  force: boolean;
  check: boolean;
  help: boolean;
}

/**
 * Parses the command line (without `node` and the script path); `--flag value` and `--flag=value`.
 * @param env for FASHION_MNIST_DIR, used when --from is absent
 * @throws UsageError (message ends with the usage) on unknown flags or missing values
 */
export function parseDataArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): DataArgs {
  const { values } = parseCommandLine(argv, {
    usage: USAGE,
    options: {
      from: { type: "string" },
      out: { type: "string", default: DEFAULT_OUT },
      force: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
    },
  });
  for (const flag of ["from", "out"] as const) if (values[flag] === "") throw new UsageError(`--${flag} needs a folder\n\n${USAGE}`);
  return {
    from: values.from ?? (env.FASHION_MNIST_DIR || undefined),
    out: values.out,
    force: values.force,
    check: values.check,
    help: values.help ?? false,
  };
}

/** Runs the command line; returns the exit code. */
export async function runDataCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  let args: DataArgs;
  try {
    args = parseDataArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.check) {
    const result = await checkPreparedData(args.out);
    console.log(result.ok ? `Fashion-MNIST in ${args.out}: ok` : `Fashion-MNIST not prepared: ${result.problem}`);
    return result.ok ? 0 : 1;
  }
  try {
    await prepareFashionMnist({ from: args.from, out: args.out, force: args.force });
    return 0;
  } catch (error) {
    if (error instanceof PrepareError) {
      console.error(`scripts/data.ts: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  process.exitCode = await runDataCommand(process.argv.slice(2), process.env);
}
