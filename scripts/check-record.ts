/**
 * node scripts/check-record.ts <record.json>... [--models DIR] [--data DIR]
 *
 * Checks run records made elsewhere (another machine's `npm run reproduce --save-model`) before
 * they are published: (a) the record validates against the schema the build uses, (b) its
 * testPredictions give its test confusion matrix and accuracy, (c) its saved weights, evaluated
 * on its test and validation splits on the wasm backend (as reproduce runs), give its accuracy
 * and the same predictions. Prints each check with its numbers; exits 1 when any check fails.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { useBackend } from "../src/lib/backends/use-backend.ts";
import { readCommandLine, UsageError } from "./lib/cli.ts";
import { checkPredictions, checkSchema, checkWeights, recordSplits, type CheckResult, type OfficialSets } from "./lib/check-record.ts";
import { DEFAULT_PREPARED_DIR, readPreparedDataset } from "./lib/read-prepared.ts";

const USAGE = `Usage: node scripts/check-record.ts <record.json>... [options]
       npm run check-record -- <record.json>... [options]

Checks run records before they are published to public/data/runs/:
  schema       the record validates against the run-record schema the build uses
  predictions  its testPredictions give its test confusion matrix (cell by cell) and accuracy
  weights      its saved weights (modelPath), evaluated on its test and validation splits on the
               wasm backend, give its test accuracy, its test predictions (all of them), its test
               loss (within 1e-4), its validation accuracy and its parameter count
Prints every check with its numbers; exits 1 when any check of any record fails.

Options:
  --models DIR   folder holding <folder>/model.json for a modelPath models/<folder>/model.json
                 (default public/data/models)
  --data DIR     prepared data folder (default public/data/fashion-mnist)
  --help, -h     print this text`;

async function main(): Promise<number> {
  const { files, models, data } = readCommandLine({
    usage: USAGE,
    allowPositionals: true,
    options: {
      models: { type: "string", default: "public/data/models" },
      data: { type: "string", default: DEFAULT_PREPARED_DIR },
    },
    interpret: ({ values, positionals }) => {
      if (positionals.length === 0) throw new UsageError("no record given");
      return { files: positionals, models: resolve(values.models), data: values.data };
    },
  });

  let sets: OfficialSets | undefined;
  let failed = 0;
  const print = (result: CheckResult) => {
    console.log(`  ${result.ok ? "ok  " : "FAIL"} ${result.name}: ${result.lines[0]}`);
    for (const line of result.lines.slice(1)) console.log(`         ${line}`);
  };
  for (const file of files) {
    console.log(`\n${file}`);
    const results: CheckResult[] = [];
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      results.push({ name: "schema", ok: false, lines: [`cannot read the record: ${(error as Error).message}`] });
    }
    const schema = results.length ? undefined : checkSchema(value);
    if (schema) results.push(schema.result);
    results.forEach(print);
    const record = schema?.record;
    if (record) {
      if (!sets) {
        await useBackend("wasm");
        sets = await readPreparedDataset(data);
      }
      const splits = recordSplits(record, sets);
      const predictions = checkPredictions(record, splits.test.labels);
      print(predictions);
      const weights = await checkWeights(record, splits, models);
      print(weights);
      results.push(predictions, weights);
    } else console.log("  (predictions and weights not checked: the record is not valid)");
    const ok = results.every((r) => r.ok);
    if (!ok) failed++;
    console.log(
      `  ${
        ok
          ? "passed every check"
          : `FAILED: ${results
              .filter((r) => !r.ok)
              .map((r) => r.name)
              .join(", ")}`
      }`,
    );
  }
  const failures = failed ? `; ${failed} failed: do not publish them` : "";
  console.log(`\n${files.length - failed} of ${files.length} record(s) passed every check${failures}.`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check-record: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
