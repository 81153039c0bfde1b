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
import { checkPreparedData, prepareFashionMnist, PrepareError } from "./lib/prepare-data.ts";

export { checkPreparedData, prepareFashionMnist, PrepareError } from "./lib/prepare-data.ts";
export type { CheckResult, PrepareInternals, PrepareOptions, PrepareResult } from "./lib/prepare-data.ts";

/** The served folder of this checkout, whatever the working directory. */
export const DEFAULT_OUT = fileURLToPath(new URL(`../${PREPARED_DATA_DIR}`, import.meta.url));

const USAGE = `usage: node scripts/data.ts [--from DIR] [--out DIR] [--force]
       node scripts/data.ts --check [--out DIR]`;

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
 * @throws Error with the usage on unknown flags or missing values
 */
export function parseDataArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): DataArgs {
  const args: DataArgs = { out: DEFAULT_OUT, force: false, check: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i]];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`${flag} needs a folder\n${USAGE}`);
      return v;
    };
    if (flag === "--from") args.from = value();
    else if (flag === "--out") args.out = value();
    else if (flag === "--force") args.force = true;
    else if (flag === "--check") args.check = true;
    else if (flag === "--help" || flag === "-h") args.help = true;
    else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  args.from ??= env.FASHION_MNIST_DIR || undefined;
  return args;
}

/** Runs the command line; returns the exit code. */
export async function runDataCommand(argv: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  let args: DataArgs;
  try {
    args = parseDataArgs(argv, env);
  } catch (error) {
    console.error((error as Error).message);
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
