/**
 * Builds the site three times and serves each build on a free port for the browser tests:
 * - "root": base "/", the published run records (public/data/runs);
 * - "subpath": base "/fashion-mnist/", the published run records;
 * - "runs-swapped": base "/", the other state of the run records: the fixture runs of
 *   tests/fixtures/runs when none are published yet, or no runs at all once some are, so both the
 *   "with runs" and the "not yet reproduced" pages are always tested.
 * Set E2E_SKIP_BUILD=1 to reuse the builds in .e2e/ from a previous run.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { startServer, type RunningServer } from "../../scripts/serve.ts";
import type { E2ESite } from "./browser.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PUBLISHED_RUNS = join(ROOT, "public/data/runs");
const FIXTURE_RUNS = join(ROOT, "tests/fixtures/runs");
const EMPTY_RUNS = join(ROOT, ".e2e/no-runs");

function hasRuns(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json"));
}

function run(args: string[], env: Record<string, string>): void {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1", ...env },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`e2e build step failed: node ${args.join(" ")}\n${result.stdout}\n${result.stderr}`);
}

/** Build one site into outDir; published run records are copied next to the pages that link them. */
function build(site: E2ESite): void {
  const env = { SITE_BASE: site.base, SITE_RUNS_DIR: site.runsDir };
  run(["scripts/site-data.ts", "--if-stale"], env);
  rmSync(site.outDir, { recursive: true, force: true });
  run(["node_modules/astro/bin/astro.mjs", "build", "--outDir", site.outDir], env);
  const runsOut = join(site.outDir, "data/runs");
  if (site.runsDir !== PUBLISHED_RUNS) {
    rmSync(runsOut, { recursive: true, force: true });
    if (hasRuns(site.runsDir)) cpSync(site.runsDir, runsOut, { recursive: true });
  }
}

/** The prepared dataset and the tfjs wasm binaries the builds serve, as `npm run build` makes sure of. */
function prepareData(): void {
  const check = spawnSync(process.execPath, ["scripts/data.ts", "--check"], { cwd: ROOT, encoding: "utf8" });
  if (check.status !== 0) run(["scripts/data.ts"], {});
  run(["scripts/copy-wasm.ts"], {});
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  mkdirSync(EMPTY_RUNS, { recursive: true });
  if (process.env.E2E_SKIP_BUILD !== "1") prepareData();
  const sites: Omit<E2ESite, "url">[] = [
    { name: "root", base: "/", outDir: join(ROOT, ".e2e/root"), runsDir: PUBLISHED_RUNS },
    { name: "subpath", base: "/fashion-mnist/", outDir: join(ROOT, ".e2e/subpath"), runsDir: PUBLISHED_RUNS },
    {
      name: "runs-swapped",
      base: "/",
      outDir: join(ROOT, ".e2e/runs-swapped"),
      runsDir: hasRuns(PUBLISHED_RUNS) ? EMPTY_RUNS : FIXTURE_RUNS,
    },
  ];
  const servers: RunningServer[] = [];
  const served: E2ESite[] = [];
  try {
    for (const site of sites) {
      if (process.env.E2E_SKIP_BUILD !== "1" || !existsSync(join(site.outDir, "index.html"))) build({ ...site, url: "" });
      const server = await startServer({ dir: site.outDir, base: site.base, port: 0 });
      servers.push(server);
      served.push({ ...site, url: server.url });
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  // Leave public/data/site as a plain `npm run build` expects it (the published runs' images).
  run(["scripts/site-data.ts", "--if-stale"], {});
  project.provide("sites", served);
  return async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
}
