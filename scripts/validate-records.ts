/**
 * node scripts/validate-records.ts [FILE|DIR]... [--data-root DIR]
 *
 * Checks run records before they are published (the reproduce workflow runs it on every record its
 * runs made): each must pass the check the build applies (`publishedRunSchema`, through
 * scripts/lib/read-runs.ts, as the `runs` collection of src/content.config.ts does), be named for
 * its row, preset and seed as `npm run reproduce` names it, and have its saved weights
 * (`modelPath`, relative to --data-root) beside it when it names them.
 * Exit codes: 0 all valid, 1 a record is not, 2 bad usage.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readCommandLine, UsageError } from "./lib/cli.ts";
import { readRun } from "./lib/read-runs.ts";
import { validateRecordFile } from "./lib/record-checks.ts";

const USAGE = `Usage: node scripts/validate-records.ts [FILE|DIR]... [--data-root DIR]

Validates run records with the build's schema check, their file names (<row>.<preset>.json,
<row>.<preset>.seed-<n>.json) and their saved weights. A folder means every *.json in it
(default: public/data/runs). Exit code 0 when every record is valid, 1 otherwise.

Options:
  --data-root DIR   folder that a record's modelPath is relative to (default public/data)
  --help, -h        print this text`;

function main(): number {
  const { paths, dataRoot } = readCommandLine({
    usage: USAGE,
    allowPositionals: true,
    options: { "data-root": { type: "string", default: "public/data" } },
    interpret: ({ values, positionals }) => {
      const paths = positionals.length ? positionals : ["public/data/runs"];
      for (const p of paths) if (!existsSync(p)) throw new UsageError(`${p} does not exist`);
      return { paths, dataRoot: values["data-root"] };
    },
  });
  const files = paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
  let bad = 0;
  for (const path of files) {
    const problems = validateRecordFile(path, dataRoot, (p) => readRun(dirname(p), basename(p)).run);
    if (problems.length === 0) console.log(`ok       ${path}`);
    else {
      bad++;
      console.error(`INVALID  ${path}\n${problems.map((p) => `  ${p}`).join("\n")}`);
    }
  }
  console.log(`${files.length - bad} of ${files.length} run record(s) valid`);
  return bad ? 1 : 0;
}

process.exit(main());
