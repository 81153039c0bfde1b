/**
 * Browser tests (`npm run test:e2e`, and the second half of `npm test`): vitest with
 * vitest.e2e.config.ts, whose global setup builds the site at the root, under /fashion-mnist/ and
 * with the other state of the run records, and serves each build locally. Writes the vitest JSON
 * report to .test-results/e2e.json for scripts/test.ts. Extra arguments go to vitest.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";

const USAGE = `Usage: node scripts/e2e.ts [vitest options and file filters]

Builds the site three times (at the root, under /fashion-mnist/, and with the other state of the
run records), serves each build, and runs tests/e2e against them in Debian's Chromium. Writes the
vitest JSON report to .test-results/e2e.json. Every argument but --help goes to vitest, e.g.
tests/e2e/site.test.ts or -t "name". Env E2E_SKIP_BUILD=1 reuses the builds in .e2e/.

Options:
  --help, -h      print this text (vitest's own: npx vitest --help)`;

// Not strict: every other option is vitest's.
const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

mkdirSync(".test-results", { recursive: true });
const result = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--config",
    "vitest.e2e.config.ts",
    "--reporter=default",
    "--reporter=json",
    "--outputFile.json=.test-results/e2e.json",
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" } },
);
process.exit(result.status ?? 1);
