/**
 * npm test: lint (npm run lint: Prettier and ESLint), unit tests (vitest), then browser tests
 * against the built site (scripts/e2e.ts), and one summary line "N passed, N failed" at the end
 * (what CI reads); lint counts as one test.
 *   npm test -- --unit   lint and unit tests
 *   npm test -- --e2e    only browser tests
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { readCommandLine, UsageError } from "./lib/cli.ts";

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numTotalTests: number;
}

const USAGE = `Usage: npm test [-- --unit | --e2e]

Lint (npm run lint: Prettier and ESLint, counted as one test), unit tests (vitest), then browser
tests against the built site (scripts/e2e.ts), then one line "N passed, N failed".

Options:
  --unit          only lint and the unit tests
  --e2e           only the browser tests
  --help, -h      print this text`;

const only = readCommandLine({
  usage: USAGE,
  options: { unit: { type: "boolean", default: false }, e2e: { type: "boolean", default: false } },
  interpret: ({ values }) => {
    if (values.unit && values.e2e) throw new UsageError("--unit and --e2e exclude each other");
    return values.unit ? "unit" : values.e2e ? "e2e" : null;
  },
});
mkdirSync(".test-results", { recursive: true });

/** A step's results: a vitest JSON report, or none (its exit status counts as one test). */
const steps: { name: string; command: string[]; json: string | null }[] = [];
if (only !== "e2e") {
  steps.push({ name: "lint", command: ["npm", "run", "--silent", "lint"], json: null });
  steps.push({
    name: "unit",
    command: ["npx", "vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=.test-results/unit.json"],
    json: ".test-results/unit.json",
  });
}
if (only !== "unit") {
  steps.push({ name: "e2e", command: [process.execPath, "scripts/e2e.ts"], json: ".test-results/e2e.json" });
}

let passed = 0;
let failed = 0;
for (const step of steps) {
  if (step.json) rmSync(step.json, { force: true });
  console.log(`\n=== ${step.name}: ${step.command.join(" ")}`);
  const run = spawnSync(step.command[0], step.command.slice(1), { stdio: "inherit", env: process.env });
  if (!step.json) {
    if (run.status === 0) passed++;
    else {
      console.log(`${step.name}: failed (exit ${run.status ?? run.signal})`);
      failed++;
    }
  } else if (existsSync(step.json)) {
    const report = JSON.parse(readFileSync(step.json, "utf8")) as VitestJson;
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    // A suite that failed to load counts as a failure even when no test inside it ran.
    if (run.status !== 0 && report.numFailedTests === 0) {
      console.log(`${step.name}: runner exited with ${run.status} although no test failed (a file failed to load?)`);
      failed++;
    }
  } else {
    console.log(`${step.name}: no results (runner exited with ${run.status ?? run.signal})`);
    failed++;
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
