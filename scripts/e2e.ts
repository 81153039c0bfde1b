/**
 * Browser tests (`npm run test:e2e`, and the second half of `npm test`): vitest with
 * vitest.e2e.config.ts, whose global setup builds the site at the root, under /fashion-mnist/ and
 * with the other state of the run records, and serves each build locally. Writes the vitest JSON
 * report to .test-results/e2e.json for scripts/test.ts. Extra arguments go to vitest.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

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
