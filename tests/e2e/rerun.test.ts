/**
 * Browser tests of live reruns, in headless Chromium on the built site. This machine has no GPU:
 * Chromium offers WebGL and WebGPU only through SwiftShader (software), so most tests train on
 * wasm (the fastest backend here, and the one "automatic" picks) and one on software WebGL;
 * each test names its backend.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runRecordSchema } from "../../src/lib/study/schema.ts";
import { CHROMIUM_ARGS, CHROMIUM_PATH, servedSites } from "./browser.ts";

const SHOTS = join(import.meta.dirname, "screenshots", "rerun");
const root = servedSites().find((s) => s.name === "root")!;
const subpath = servedSites().find((s) => s.name === "subpath")!;
const CNN = `${root.url}cnn-tuning/`;
const RESNET = `${root.url}resnet-tuning/`;

let browser: Browser;
const contexts: BrowserContext[] = [];
/** Browsers of the software-GPU tests, closed after each: the GPU work a cancelled run left queued dies with them. */
const ownBrowsers: Browser[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // WebGPU too (SwiftShader's fallback adapter), so that the backend choice is tested against it.
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, "--enable-unsafe-webgpu"] });
});

// Each test's pages close when it ends: a page left open (a software-GPU run's queued work above all)
// would keep the shared browser busy, and the next test's element or long-task checks would see it.
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  for (const b of ownBrowsers.splice(0)) await b.close().catch(() => {});
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
}

/**
 * A fresh browser context (empty cache and IndexedDB) on a page; in a browser of its own with
 * `ownBrowser` (software WebGL/WebGPU runs: closing that browser also ends its GPU process's work).
 * No service worker: its one reload on a first visit would race with the steps (isolation.test.ts tests it).
 */
async function open(url: string, viewport = { width: 1280, height: 900 }, ownBrowser = false): Promise<Opened> {
  let host = browser;
  if (ownBrowser) {
    host = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, "--enable-unsafe-webgpu"] });
    ownBrowsers.push(host);
  }
  const context = await host.newContext({ viewport, acceptDownloads: true, serviceWorkers: "block" });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  // Playwright injects its helper script on first use; do that now, not while long tasks are recorded.
  await page.locator("h1").textContent();
  return { page, errors };
}

/**
 * The page's own long tasks: main-thread tasks of the renderer whose CPU time (the trace's thread
 * duration, `tdur`) passed 50 ms. Wall time would also count the time another process held the
 * CPU; thread time counts only what the page's own code did, so a page that trains or draws on its
 * main thread fails on an idle machine and a busy one alike.
 */
async function startLongTaskTrace(page: Page): Promise<void> {
  await page
    .context()
    .browser()!
    .startTracing(page, { categories: ["toplevel"] });
}

async function stopLongTaskTrace(page: Page): Promise<{ cpuMs: number; wallMs: number; name: string }[]> {
  const trace = JSON.parse((await page.context().browser()!.stopTracing()).toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const mainThreads = new Set(
    events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`),
  );
  // A task of the renderer's main thread; its thread duration excludes time the thread was descheduled.
  return events
    .filter((e) => e.ph === "X" && e.name === "ThreadControllerImpl::RunTask" && mainThreads.has(`${e.pid}:${e.tid}`) && (e.tdur ?? 0) > 50_000)
    .map((e) => ({ cpuMs: Math.round(e.tdur! / 1000), wallMs: Math.round(e.dur! / 1000), name: e.name }));
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Hold every request for `pattern` (in the page's context, workers included) until release():
 * a run waits in its dataset step for as long as the test needs, on any machine.
 */
async function holdRequests(page: Page, pattern: string): Promise<{ reached: Promise<void>; release: () => Promise<void> }> {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  await page.context().route(pattern, async (route) => {
    reach();
    await opened;
    await route.continue().catch(() => {});
  });
  return {
    reached,
    release: async () => {
      open();
      await page.context().unroute(pattern);
    },
  };
}

/** The dataset's largest file: holding it keeps a rerun in its data step (state "running", no batch yet). */
const DATASET_FILE = "**/data/fashion-mnist/train-images.idx.gz";

/** Record every value the progress bar takes from now on (a MutationObserver: no polling gaps). */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __progress: number[] };
    w.__progress = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        if (el.getAttribute("role") === "progressbar" && el.closest(".rerun-panel")) w.__progress.push(Number(el.getAttribute("aria-valuenow")));
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuenow"] });
  });
}

const recordedProgress = (page: Page) => page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);

interface PanelState {
  state?: string;
  now: number;
  max: number;
  row?: string;
  backend?: string;
  tensors?: string;
  baseline?: string;
  peak?: string;
}

const panelState = (page: Page): Promise<PanelState | null> =>
  page.evaluate(() => {
    const panel = document.querySelector<HTMLElement>(".rerun-panel");
    if (!panel) return null;
    const bar = panel.querySelector("[role=progressbar]")!;
    return {
      state: panel.dataset.state,
      now: Number(bar.getAttribute("aria-valuenow")),
      max: Number(bar.getAttribute("aria-valuemax")),
      row: panel.dataset.row,
      backend: panel.dataset.backend,
      tensors: panel.dataset.tensors,
      baseline: panel.dataset.baselineTensors,
      peak: panel.dataset.peakTensors,
    };
  });

/** Poll the panel until `done` holds; returns every progress value seen. */
async function watch(page: Page, done: (s: PanelState) => boolean, timeoutMs: number, onSample?: (s: PanelState) => Promise<void>): Promise<number[]> {
  const seen: number[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await panelState(page);
    if (s) {
      seen.push(s.now);
      await onSample?.(s);
      if (done(s)) return seen;
    }
    if (Date.now() > until) throw new Error(`timed out; last panel state ${JSON.stringify(s)}`);
    await page.waitForTimeout(250);
  }
}

const rerunButton = (page: Page, rowId: string) => page.getByRole("button", { name: `Rerun ${rowId}`, exact: true });

/** Wait until the panel shows the choice before a run (data-state "choosing") with the keyboard on a preset. */
const waitForChoice = (page: Page) =>
  page.waitForFunction(() => {
    const panel = document.querySelector<HTMLElement>(".rerun-panel");
    return panel?.dataset.state === "choosing" && panel.contains(document.activeElement);
  });

/** Press Rerun on a row, then Start in the panel's choice (the preset of ?preset=, or the default, is checked). */
async function startRerun(page: Page, rowId: string): Promise<void> {
  await rerunButton(page, rowId).click();
  await waitForChoice(page);
  await page.locator('.rerun-panel [data-part="start"]').click();
}

/**
 * Click a row's Rerun button with a real mouse click, tracing the page's tasks from then on (stop
 * with stopLongTaskTrace). Playwright's own click() first runs its actionability checks as scripts
 * in the page, so the button is located (and scrolled into view) before tracing starts, and
 * clicked with raw input events after.
 */
async function clickRerunRecorded(page: Page, rowId: string): Promise<void> {
  const button = rerunButton(page, rowId);
  await button.scrollIntoViewIfNeeded();
  const box = (await button.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await recordProgress(page);
  await startLongTaskTrace(page);
  await page.mouse.down();
  await page.mouse.up();
  // The choice opens with the keyboard on the checked preset: Enter starts (a raw key press, like the click).
  await waitForChoice(page);
  await page.keyboard.press("Enter");
}

/** Vertices of the training line in the panel's loss chart (its first line mark; Plot writes "M", then "L" per further point). */
const trainingVertices = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const d = document.querySelector('.rerun-panel [data-chart="loss"] g[aria-label="line"] path')?.getAttribute("d") ?? "";
    return (d.match(/[ML]/g) ?? []).length;
  });

/** Click Rerun on a row and wait for the run to end; checks progress rose and returns the final state. */
async function smokeRun(
  page: Page,
  rowId: string,
  shotName: string,
  timeoutMs: number,
): Promise<{ final: PanelState; longTasks: Awaited<ReturnType<typeof stopLongTaskTrace>> }> {
  await clickRerunRecorded(page, rowId);
  let shot = false;
  await watch(
    page,
    (s) => s.state !== undefined && s.state !== "running",
    timeoutMs,
    async (s) => {
      if (!shot && s.now >= 30 && s.now < 100) {
        shot = true;
        await page.screenshot({ path: join(SHOTS, `${shotName}-mid.png`) });
      }
    },
  );
  const longTasks = await stopLongTaskTrace(page);
  const final = (await panelState(page))!;
  expect(final.state).toBe("finished");
  expect(final.max).toBe(100);
  // Progress rose through the run, not only jumped to the end: the bar is written at most every
  // PROGRESS_INTERVAL_MS (250 ms), so a run of t seconds of training shows about 4t values on the way.
  const seen = await recordedProgress(page);
  // "Trained 1,024 images × 1 epoch · 2,345 images/s in the last epoch · …"
  const trained = (await page.locator('.rerun-panel [data-part="progress-text"]').textContent()) ?? "";
  const [, images, epochCount, speed] = /^Trained ([\d,]+) images × (\d+) epochs? · ([\d,]+) images\/s/.exec(trained) ?? [];
  const trainingSeconds = (Number(images?.replaceAll(",", "")) * Number(epochCount)) / Number(speed?.replaceAll(",", ""));
  expect(trainingSeconds).toBeGreaterThan(0);
  const distinct = [...new Set(seen)];
  expect(distinct.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(Math.min(2, Math.floor(trainingSeconds * 4) - 1));
  expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
  expect(seen.at(-1)).toBe(100);
  await expect.poll(() => page.locator('.rerun-panel [data-result="val-accuracy"]').textContent()).toMatch(/^\d{1,3}\.\d{2}%$/);
  // The comparison names the protocol of the rerun's column and of ours (our record of the same preset only).
  const compare = page.locator(".rerun-panel table.rerun-compare");
  const protocol = await compare.getAttribute("data-protocol");
  expect(await compare.locator("thead tr > *").allTextContents()).toEqual([
    "",
    `Your rerun (${protocol})`,
    `Ours (${protocol})`,
    "Original study (its full training)",
  ]);
  // A one-epoch run's curves are drawn per batch against the batch number, not as one dot per epoch.
  await expect.poll(() => trainingVertices(page), { timeout: 10_000 }).toBeGreaterThan(2);
  expect(await page.locator('.rerun-panel [data-chart="loss"] svg').textContent()).toMatch(/Batch \(of \d+, one epoch\)/);
  await page.screenshot({ path: join(SHOTS, `${shotName}-finished.png`) });
  return { final, longTasks };
}

describe("rerun panel (headless Chromium, no GPU)", () => {
  it("loads none of the panel, comlink, Plot or the workers before the first Rerun click", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    const before = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name));
    expect(before.filter((u) => /rerun-panel|trainer\.worker|chart\.worker/.test(u))).toEqual([]);
    await rerunButton(page, "cnn-32-64-3-64").click();
    await waitForChoice(page);
    // Nothing trains before Start.
    expect(requested.filter((u) => /trainer\.worker/.test(u))).toEqual([]);
    // The run waits in its dataset step until Cancel, on a fast machine too.
    const dataset = await holdRequests(page, DATASET_FILE);
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect.poll(() => requested.some((u) => /trainer\.worker/.test(u))).toBe(true);
    await dataset.reached;
    await page.getByRole("button", { name: "Cancel" }).click();
    await watch(page, (s) => s.state === "cancelled", 30_000);
    await dataset.release();
  }, 120_000);

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ])
    it(`at ${viewport.width} px, Rerun opens a choice first: the default preset checked and focused, each with a time, Start by keyboard; Escape leaves it untrained`, async () => {
      const { page, errors } = await open(`${CNN}?backend=wasm`, viewport);
      const requested: string[] = [];
      page.on("request", (r) => requested.push(r.url()));
      const panel = page.locator(".rerun-panel");
      await rerunButton(page, "cnn-32-64-3-64").click();
      await waitForChoice(page);
      expect(await panel.getAttribute("data-row")).toBe("cnn-32-64-3-64");
      expect(await page.locator("#rerun-panel-title").textContent()).toBe("Rerun cnn-32-64-3-64");
      // The default (quick) is checked, enabled and has the keyboard; every preset shows its size and a rough time.
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement;
        return { name: el.name, value: el.value, checked: el.checked, disabled: el.disabled };
      });
      expect(focused).toEqual({ name: "rerun-preset", value: "quick", checked: true, disabled: false });
      const labels = await panel.locator(".rerun-presets label").allTextContents();
      expect(labels).toHaveLength(3);
      for (const label of labels) expect(label).toMatch(/training images, \d+ epochs?, batch \d+ · about \d+(\.\d)? (s|min|h)$/);
      expect(await panel.locator('[data-part="estimate-note"]').textContent()).toMatch(/^Times: from the training time of this site's own runs of this row: /);
      const start = panel.locator('[data-part="start"]');
      expect(await start.isVisible()).toBe(true);
      expect(await panel.locator('[data-part="cancel"]').isVisible()).toBe(false);
      // Start lies inside the window (the panel is usable at this width).
      const box = (await start.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      // Tab from the presets reaches Start (through the backend menu).
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.part)).toBe("start");
      await page.screenshot({ path: join(SHOTS, `rerun-choice-${viewport.width}.png`) });
      expect(requested.filter((u) => /trainer\.worker/.test(u))).toEqual([]);

      // Escape closes the choice: nothing trained.
      await page.keyboard.press("Escape");
      await expect.poll(() => panel.isHidden()).toBe(true);
      expect(await panel.getAttribute("data-state")).toBe("idle");
      expect(requested.filter((u) => /trainer\.worker/.test(u))).toEqual([]);

      // Again: an arrow key picks Smoke, Enter starts it (held in its dataset step until Cancel).
      await rerunButton(page, "cnn-32-64-3-64").click();
      await waitForChoice(page);
      await page.keyboard.press("ArrowDown");
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe("smoke");
      const dataset = await holdRequests(page, DATASET_FILE);
      await page.keyboard.press("Enter");
      await watch(page, (s) => s.state === "running", 30_000);
      await dataset.reached;
      expect(await panel.getAttribute("data-preset")).toBe("smoke");
      expect(await page.locator(".rerun-sub").textContent()).toMatch(/Smoke: 1,024 training images, 1 epoch/);
      await page.getByRole("button", { name: "Cancel" }).click();
      await watch(page, (s) => s.state === "cancelled", 30_000);
      await dataset.release();
      expect(errors).toEqual([]);
    }, 120_000);

  it("Rerun all opens one choice for every row of the table; Start would queue them in turn", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    const all = page.getByRole("button", { name: /^Rerun all/ }).first();
    const count = (await all.getAttribute("data-rerun-all"))!.trim().split(/\s+/).length;
    expect(count).toBeGreaterThan(1);
    await all.click();
    await waitForChoice(page);
    expect(await page.locator('.rerun-panel [data-part="start"]').textContent()).toBe(`Start ${count} runs`);
    expect(await page.locator("#rerun-panel-title").textContent()).toBe(`Rerun ${count} rows in turn`);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe("smoke");
    // The first run waits in its dataset step, so the others are all still queued when the test looks.
    const dataset = await holdRequests(page, DATASET_FILE);
    await page.locator('.rerun-panel [data-part="start"]').click();
    await dataset.reached;
    await expect.poll(() => page.locator(".rerun-queue").textContent()).toMatch(new RegExp(`Queued \\(one training at a time in this tab\\): ${count - 1}`));
    await page.getByRole("button", { name: "Clear queue" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await watch(page, (s) => s.state === "cancelled", 30_000);
    await dataset.release();
  }, 120_000);

  // Long tasks are counted in the page's own CPU time (stopLongTaskTrace), so another process taking
  // the CPU cannot make one; a page that trains or draws on its main thread still fails.
  it("Smoke rerun of cnn-32-64-3-64 on wasm: progress rises, the result appears, no long task over 50 ms", { timeout: 240_000 }, async () => {
    const { page, errors } = await open(`${CNN}?preset=smoke&backend=wasm`);
    const { final, longTasks } = await smokeRun(page, "cnn-32-64-3-64", "rerun-cnn-wasm", 180_000);
    expect(final.backend).toBe("wasm");
    expect(final.row).toBe("cnn-32-64-3-64");
    expect(longTasks).toEqual([]);
    expect(errors).toEqual([]);
    // The curves (scrolled to once the long tasks are read: Playwright's scrolling runs scripts in the page).
    await page.locator('.rerun-panel [data-chart="loss"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "rerun-cnn-wasm-curves.png") });
  });

  it(
    "Smoke rerun of resnet-2x32 with the automatic backend picks wasm over software WebGL/WebGPU and finishes, no long task over 50 ms",
    { timeout: 360_000 },
    async () => {
      const { page, errors } = await open(`${RESNET}?preset=smoke`);
      const { final, longTasks } = await smokeRun(page, "resnet-2x32", "rerun-resnet-wasm", 300_000);
      expect(final.backend).toBe("wasm");
      const explanation = await page.locator(".rerun-backend-info").textContent();
      expect(explanation).toMatch(/Picked automatically: WebAssembly/);
      expect(explanation).toMatch(/WebGL: WebGL 2 renderer is a software emulation/);
      expect(explanation).toMatch(/WebGPU: WebGPU adapter is a software fallback/);
      expect(longTasks).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  it("Cancel mid-run on wasm: the run stops and the worker's tensor count is back at its baseline", async () => {
    // The full protocol (540,000 images) is still training when the test cancels, on any machine.
    const { page } = await open(`${CNN}?preset=full&backend=wasm`);
    await startRerun(page, "cnn-32-64-3-64");
    // Wait until the panel has seen the worker's tensors rise above the baseline (the model and optimiser live).
    await watch(page, (s) => s.peak !== undefined && s.baseline !== undefined && Number(s.peak) > Number(s.baseline), 120_000);
    await page.getByRole("button", { name: "Cancel" }).click();
    const final = (await watch(page, (s) => s.state !== "running", 30_000), await panelState(page))!;
    expect(final.state).toBe("cancelled");
    // Stopped by the worker itself before its next batch: a worker terminated after the client's
    // grace period (CANCEL_GRACE_MS) could not report its tensors.
    expect(final.tensors).toBeDefined();
    expect(final.tensors).toBe(final.baseline);
    // No stale ETA once the run is over.
    await expect.poll(() => page.locator('.rerun-panel [data-part="progress-text"]').textContent()).toMatch(/^Stopped at \d+% of training\.$/);
    await page.screenshot({ path: join(SHOTS, "rerun-cancelled.png") });
    // Escape closes the panel once nothing runs.
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator(".rerun-panel").isHidden()).toBe(true);
  }, 180_000);

  it("Reruns on wasm survive a reload; their JSON validates against runRecordSchema and the model downloads in the tfjs format", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    await smokeRun(page, "cnn-32-64-3-32", "rerun-kept", 180_000);
    await expect.poll(() => page.locator(".rerun-panel").getAttribute("data-saved")).toMatch(/^cnn-32-64-3-32\.smoke\./);
    await page.reload();
    const section = page.locator("[data-your-reruns]");
    await section.scrollIntoViewIfNeeded();
    await expect.poll(() => section.getAttribute("data-count")).toBe("1");
    const row = section.locator("tbody tr").first();
    expect(await row.locator("th").textContent()).toBe("cnn-32-64-3-32");

    const [json] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: /as JSON$/ }).click()]);
    const record = runRecordSchema.parse(JSON.parse(readFileSync((await json.path())!, "utf8")));
    expect(record.source).toBe("reader");
    expect(record.environment).toMatchObject({ runtime: "browser", backend: "wasm" });
    expect(record.environment.userAgent).toMatch(/Chrome/);
    expect(json.suggestedFilename()).toBe(`${record.runId}.json`);

    const downloads: { name: string; path: string }[] = [];
    page.on("download", async (d) => downloads.push({ name: d.suggestedFilename(), path: (await d.path())! }));
    await row.getByRole("button", { name: /Download the model/ }).click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    const modelJson = JSON.parse(readFileSync(downloads.find((d) => d.name.endsWith(".model.json"))!.path, "utf8"));
    const weights = readFileSync(downloads.find((d) => d.name.endsWith(".weights.bin"))!.path);
    expect(modelJson.format).toBe("layers-model");
    expect(modelJson.weightsManifest[0].paths).toEqual([downloads.find((d) => d.name.endsWith(".weights.bin"))!.name]);
    expect(weights.byteLength).toBe(record.parameters * 4);
    await section.screenshot({ path: join(SHOTS, "rerun-your-reruns.png") });

    // After the reload, a new worker reads the dataset from the browser's Cache API, not the network.
    const gz: string[] = [];
    page.context().on("request", (r) => {
      if (r.url().endsWith(".idx.gz")) gz.push(r.url());
    });
    const statuses: string[] = [];
    await startRerun(page, "cnn-32-64-3-32");
    await watch(
      page,
      (s) => s.state !== "running",
      180_000,
      async () => void statuses.push((await page.locator(".rerun-status").textContent()) ?? ""),
    );
    expect(gz).toEqual([]);
    expect((await panelState(page))!.state).toBe("finished");
    await expect.poll(() => section.getAttribute("data-count")).toBe("2");
  }, 300_000);

  it("A second Rerun while one trains on wasm is queued, shown, and runs next", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    // The first run waits in its dataset step until the second has been queued.
    const dataset = await holdRequests(page, DATASET_FILE);
    await startRerun(page, "cnn-32-64-3-64");
    await watch(page, (s) => s.state === "running", 30_000);
    await dataset.reached;
    // While one runs, a second Rerun joins the queue at once, with the preset of the running one.
    await rerunButton(page, "cnn-32-64-3-128").click();
    await expect.poll(() => page.locator(".rerun-queue").textContent()).toMatch(/Queued \(one training at a time in this tab\): 1.*cnn-32-64-3-128/s);
    expect(await page.locator(".rerun-panel").getAttribute("data-row")).toBe("cnn-32-64-3-64");
    await dataset.release();
    // The first finishes, then the queued one trains to its end.
    await watch(page, (s) => s.row === "cnn-32-64-3-128" && s.state === "finished", 240_000);
    expect(await page.locator(".rerun-panel").getAttribute("data-preset")).toBe("smoke");
    expect(await page.locator(".rerun-queue").isHidden()).toBe(true);
  }, 300_000);

  it("A failed dataset download on wasm is told plainly, the page stays usable, and Retry recovers", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    await page.context().route("**/data/fashion-mnist/train-images.idx.gz", (route) => route.abort("internetdisconnected"));
    await startRerun(page, "cnn-32-64-3-64");
    await watch(page, (s) => s.state === "failed", 60_000);
    const alert = page.locator(".rerun-panel [role=alert]");
    expect(await alert.getAttribute("data-kind")).toBe("dataset-download");
    expect(await alert.textContent()).toMatch(/could not be downloaded/);
    await page.screenshot({ path: join(SHOTS, "rerun-failed-download.png") });
    // The page still answers.
    expect(await page.evaluate(() => document.title)).toMatch(/CNN tuning/);
    await page.context().unroute("**/data/fashion-mnist/train-images.idx.gz");
    await alert.getByRole("button", { name: "Retry", exact: true }).click();
    // Recovered: the retried run trains to its end.
    await watch(page, (s) => s.state === "finished", 180_000);
    await expect.poll(() => page.locator('.rerun-panel [data-result="val-accuracy"]').textContent()).toMatch(/^\d{1,3}\.\d{2}%$/);
  }, 240_000);

  it("Served files that fail their checksum on wasm are refused with a checksum message", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    const wrong = readFileSync(join(root.outDir, "data/fashion-mnist/test-labels.idx.gz"));
    await page.context().route("**/data/fashion-mnist/train-labels.idx.gz", (route) => route.fulfill({ body: wrong, contentType: "application/gzip" }));
    await startRerun(page, "cnn-32-64-3-64");
    await watch(page, (s) => s.state === "failed", 60_000);
    const alert = page.locator(".rerun-panel [role=alert]");
    expect(await alert.getAttribute("data-kind")).toBe("dataset-checksum");
    expect(await alert.textContent()).toMatch(/does not match its published checksums/);
  }, 120_000);

  it("A training worker that fails to start is reported as a crash, with retry buttons for the other backends", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=wasm`);
    await page.context().route("**/trainer.worker*.js", (route) => route.abort("failed"));
    await startRerun(page, "cnn-32-64-3-64");
    await watch(page, (s) => s.state === "failed", 60_000);
    const alert = page.locator(".rerun-panel [role=alert]");
    expect(await alert.getAttribute("data-kind")).toBe("worker-crashed");
    expect(await alert.textContent()).toMatch(/training worker stopped unexpectedly/);
    await page.context().unroute("**/trainer.worker*.js");
    await alert.getByRole("button", { name: "Retry", exact: true }).click();
    // Recovered: the retried run trains to its end.
    await watch(page, (s) => s.state === "finished", 180_000);
  }, 240_000);

  it("Smoke rerun of cnn-32-64-3-64 on WebGL (SwiftShader, software) finishes with a result", async () => {
    const { page } = await open(`${CNN}?preset=smoke&backend=webgl`, undefined, true);
    const { final } = await smokeRun(page, "cnn-32-64-3-64", "rerun-cnn-webgl", 400_000);
    expect(final.backend).toBe("webgl");
    expect(await page.locator(".rerun-backend-info summary").textContent()).toMatch(/WebGL \(.*SwiftShader/);
  }, 480_000);

  it("Rerun of cnn-32-64-3-64 on WebGPU (a software fallback adapter here, or a real GPU): batches run, Cancel stops it", async () => {
    // Batches run, then Cancel stops the run: the full protocol (540,000 images) is still training
    // when the test cancels, on a software adapter (~5 images/s) or a real GPU alike.
    const { page } = await open(`${CNN}?preset=full&backend=webgpu`, undefined, true);
    await startRerun(page, "cnn-32-64-3-64");
    await watch(page, (s) => s.backend === "webgpu" && s.state === "running", 300_000);
    // Two batches drawn in the loss chart: training runs.
    await expect.poll(() => trainingVertices(page), { timeout: 300_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator(".rerun-backend-info summary").textContent()).toMatch(/^Backend: WebGPU/);
    await page.screenshot({ path: join(SHOTS, "rerun-cnn-webgpu-mid.png") });
    await page.getByRole("button", { name: "Cancel" }).click();
    await watch(page, (s) => s.state === "cancelled", 60_000);
  }, 360_000);

  it("Smoke rerun of cnn-32-64-3-64 on wasm works when the site is deployed under a sub-path", async () => {
    const { page, errors } = await open(`${subpath.url}cnn-tuning/?preset=smoke&backend=wasm`);
    const requests: string[] = [];
    page.context().on("request", (r) => requests.push(new URL(r.url()).pathname));
    await smokeRun(page, "cnn-32-64-3-64", "rerun-subpath", 180_000);
    expect(requests.filter((p) => !p.startsWith(subpath.base))).toEqual([]);
    expect(requests.some((p) => p.startsWith(`${subpath.base}data/tfjs-wasm/`))).toBe(true);
    expect(requests.some((p) => p.startsWith(`${subpath.base}data/fashion-mnist/`))).toBe(true);
    expect(errors).toEqual([]);
  }, 300_000);
});
