/**
 * Worker overhead of a reader's rerun (part of `npm run bench`): training images/s of the same
 * row, same data and same `train` options, (1) through the site's comlink trainer worker with the
 * panel's per-batch progress callbacks, and (2) in a plain dedicated worker calling `train`
 * directly. Both run in Debian's headless Chromium on a page built from
 * scripts/bench/rerun-worker/ by Astro with the site's astro.config.mjs (the site's own worker
 * module, bundled the same way), next to a copy of the site's public/ folder, and served by
 * scripts/serve.ts.
 * Images/s is the steady-state epoch's (the last one; the first includes kernel warm-up); runs
 * alternate direct/comlink. The overhead compares the best run of each (the least disturbed by
 * other processes on a shared machine); medians are reported too.
 *
 * Threads: the harness is served cross-origin isolated (COOP/COEP headers, as the site's service worker
 * makes its pages), so wasm runs tfjs-backend-wasm's threaded SIMD build; the overhead cases run it
 * on 1 thread, and the thread cases train CNN 32-64-3-64 and ResNet 3x64 through the trainer worker
 * on 1 thread and on all cores (navigator.hardwareConcurrency, at most MAX_WASM_THREADS), alternating.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build } from "astro";
import { chromium } from "playwright-core";
import type { BenchCase } from "../bench.ts";
import { startServer, type RunningServer } from "../serve.ts";
import { PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";
import { MAX_WASM_THREADS } from "../../src/lib/backends/thread-count.ts";
import { median } from "../../src/lib/study/statistics.ts";

/** Name of this bench module (`npm run bench -- --only rerun-worker`). */
export const name = "rerun-worker";

const ROOT = resolve(import.meta.dirname, "../..");
/** Astro's project root for the harness: its caches and the built page (site/) go here. */
const WORK = join(ROOT, ".bench/rerun-worker");
const OUT = join(WORK, "site");

/** Build the harness page with the site's Astro config; public/ (dataset, wasm binaries) is copied next to it. */
async function buildHarness(): Promise<void> {
  const copy = spawnSync(process.execPath, ["scripts/copy-wasm.ts"], { cwd: ROOT, encoding: "utf8" });
  if (copy.status !== 0) throw new Error(`rerun-worker bench: copy-wasm failed: ${copy.stderr}`);
  if (!existsSync(join(ROOT, "public/data/fashion-mnist/manifest.json"))) throw new Error("rerun-worker bench: run `npm run data` first");
  await build({
    // Astro joins the config file's path to the root.
    configFile: relative(WORK, join(ROOT, "astro.config.mjs")),
    root: WORK,
    srcDir: join(ROOT, "scripts/bench/rerun-worker"),
    publicDir: join(ROOT, "public"),
    outDir: OUT,
    base: "/",
    logLevel: "error",
  });
}

/** Serve the built harness cross-origin isolated, as the site's pages are under its service worker: wasm can use threads. */
function serve(): Promise<RunningServer> {
  return startServer({
    dir: OUT,
    headers: { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" },
  });
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Measure the worker overhead on each browser backend among `backends` (wasm by default). */
export async function run(options: { backends: string[]; quick: boolean }): Promise<BenchCase[]> {
  // cpu trains ~7 images/s in a browser: minutes per measurement, so only wasm and (software) WebGL.
  const backends = options.backends.filter((b) => b === "wasm" || b === "webgl");
  if (backends.length === 0) backends.push("wasm");
  const skipped: BenchCase[] = options.backends
    .filter((b) => b === "cpu")
    .map((b) => ({ model: "cnn-32-64-3-64", backend: b, phase: "train-in-rerun-worker", note: "skipped: the cpu backend trains ~7 images/s in a browser" }));
  await buildHarness();
  const site = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--enable-unsafe-swiftshader", "--disable-background-networking"],
  });
  const cases: BenchCase[] = [...skipped];
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`rerun-worker bench page error: ${e.message}`));
    await page.goto(site.url);
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
    const rowId = "cnn-32-64-3-64";
    for (const backend of backends) {
      const images = backend === "wasm" ? (options.quick ? 1_024 : 3_072) : 256;
      const protocol = { ...PROTOCOL_PRESETS.smoke, epochs: 2, trainImages: images, validationImages: 500, testImages: 500 };
      const repeats = options.quick ? 1 : 5;
      const rates: Record<"direct" | "comlink", number[]> = { direct: [], comlink: [] };
      for (let r = 0; r < repeats; r++) {
        for (const mode of ["direct", "comlink"] as const) {
          console.error(`bench: rerun-worker ${mode} on ${backend} (${images} images x 2 epochs, run ${r + 1}/${repeats})…`);
          const result = (await page.evaluate(
            ([m, req]) => (window as unknown as { runBench: (m: string, r: unknown) => Promise<{ epochs: { imagesPerSecond: number }[] }> }).runBench(m, req),
            [mode, { backend, rowId, protocol, ...(backend === "wasm" ? { wasmThreads: 1 } : {}) }] as const,
          )) as { epochs: { imagesPerSecond: number }[] };
          rates[mode].push(result.epochs[result.epochs.length - 1].imagesPerSecond);
        }
      }
      const best = { direct: Math.max(...rates.direct), comlink: Math.max(...rates.comlink) };
      const overhead = ((best.direct - best.comlink) / best.direct) * 100;
      const medianOverhead = ((median(rates.direct) - median(rates.comlink)) / median(rates.direct)) * 100;
      cases.push({
        model: rowId,
        backend,
        phase: "train-in-plain-worker",
        imagesPerSecond: round(best.direct),
        medianImagesPerSecond: round(median(rates.direct)),
        images,
        runs: rates.direct.map(round),
        note: `train() called directly in a dedicated worker, no comlink (best of ${repeats})`,
      });
      cases.push({
        model: rowId,
        backend,
        phase: "train-in-rerun-worker",
        imagesPerSecond: round(best.comlink),
        medianImagesPerSecond: round(median(rates.comlink)),
        images,
        runs: rates.comlink.map(round),
        overheadPercent: round(overhead),
        medianOverheadPercent: round(medianOverhead),
        note: `the site's comlink trainer worker with per-batch progress: ${overhead >= 0 ? `${round(overhead)}% slower` : `${round(-overhead)}% faster`} than the plain worker (best of ${repeats}; medians: ${round(medianOverhead)}%)`,
      });
    }
    if (backends.includes("wasm")) cases.push(...(await measureThreads(page, options.quick)));
  } finally {
    await browser.close();
    await site.close();
  }
  return cases;
}

type BenchPage = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launch>>["newPage"]>>;

/**
 * Training images/s through the trainer worker on wasm, 1 thread against all cores, for the CNN and
 * ResNet 3x64 (steady-state epoch, best and median of the runs; runs alternate 1 / all). The
 * speed-up is given as the ratio of the best runs (`speedup`) and as the median of the ratios of
 * each pair of runs made one after the other (`pairSpeedups`, `medianPairSpeedup`).
 */
async function measureThreads(page: BenchPage, quick: boolean): Promise<BenchCase[]> {
  const facts = await page.evaluate(() => (window as unknown as { benchFacts: () => { cores: number; isolated: boolean } }).benchFacts());
  if (!facts.isolated) throw new Error("rerun-worker bench: the harness page is not cross-origin isolated (no wasm threads)");
  const all = Math.max(1, Math.min(MAX_WASM_THREADS, facts.cores));
  const cases: BenchCase[] = [];
  const models = [
    { rowId: "cnn-32-64-3-64", images: quick ? 1_024 : 3_072 },
    { rowId: "resnet-3x64", images: quick ? 256 : 768 },
  ];
  const repeats = quick ? 1 : 5;
  for (const { rowId, images } of models) {
    const protocol = { ...PROTOCOL_PRESETS.smoke, epochs: 2, trainImages: images, validationImages: 256, testImages: 256 };
    const rates = new Map<number, number[]>([
      [1, []],
      [all, []],
    ]);
    for (let r = 0; r < repeats; r++) {
      for (const threads of [...rates.keys()]) {
        console.error(`bench: rerun-worker ${rowId} on wasm, ${threads} thread(s) (${images} images x 2 epochs, run ${r + 1}/${repeats})…`);
        const result = (await page.evaluate(
          ([req]) =>
            (window as unknown as { runBench: (m: string, r: unknown) => Promise<{ epochs: { imagesPerSecond: number }[]; wasmThreads?: number }> }).runBench(
              "comlink",
              req,
            ),
          [{ backend: "wasm", rowId, protocol, wasmThreads: threads }] as const,
        )) as { epochs: { imagesPerSecond: number }[]; wasmThreads?: number };
        if ((result.wasmThreads ?? 1) !== threads)
          throw new Error(`rerun-worker bench: asked for ${threads} threads, the worker ran ${result.wasmThreads ?? 1}`);
        rates.get(threads)!.push(result.epochs[result.epochs.length - 1].imagesPerSecond);
      }
    }
    const one = rates.get(1)!;
    for (const [threads, runs] of rates) {
      const speedup = threads === 1 ? undefined : round(Math.max(...runs) / Math.max(...one));
      // Each all-cores run against the one-thread run just before it: a slow spell of the machine
      // (another process, a busy host) then weighs on both sides of one pair, not on one side of the ratio.
      const pairSpeedups = threads === 1 ? undefined : runs.map((r, i) => round(r / one[i]));
      cases.push({
        model: rowId,
        backend: "wasm",
        phase: "train-in-rerun-worker-threads",
        wasmThreads: threads,
        cores: facts.cores,
        imagesPerSecond: round(Math.max(...runs)),
        medianImagesPerSecond: round(median(runs)),
        images,
        runs: runs.map(round),
        ...(speedup !== undefined ? { speedup } : {}),
        ...(pairSpeedups !== undefined ? { pairSpeedups, medianPairSpeedup: round(median(pairSpeedups)) } : {}),
        note: `trainer worker on ${threads === 1 ? "1 thread" : `all ${threads} cores`} (best of ${repeats})${
          speedup !== undefined && pairSpeedups !== undefined
            ? `: ${speedup}x one thread's best; ${round(median(pairSpeedups))}x the median of the ${repeats} run pairs`
            : ""
        }`,
      });
      if (threads === 1 && all === 1) break;
    }
  }
  return cases;
}
