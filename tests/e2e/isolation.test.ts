/**
 * Cross-origin isolation on a plain static server (scripts/serve.ts sends no COOP/COEP): the site's
 * coi-serviceworker, registered under the site's base, makes its pages isolated, and a wasm rerun
 * then trains on more than one thread when the browser has more than one core; with service
 * workers blocked the page is not isolated and the rerun trains on one thread as before. Each run
 * is held at the dataset download (a gated request) until the test has looked at it, so nothing
 * depends on the machine's speed. At the root and under /fashion-mnist/. On several threads the
 * trainer also starts helper workers for its JavaScript kernels; on one, none.
 */
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, describeViolations } from "./axe.ts";
import { launchBrowser, servedSites } from "./browser.ts";
import { MAX_HELPERS } from "../../src/lib/backends/kernels/wasm/helper-threads.ts";

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh context (no service worker yet, empty caches) with service workers allowed or blocked. */
async function newContext(serviceWorkers: "allow" | "block"): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/**
 * Holds every request for the training images (from the page, its workers, or the service worker)
 * until `release()`. @returns the release function and a promise that resolves at the first request
 */
async function gateDataset(context: BrowserContext): Promise<{ requested: Promise<void>; release: () => void }> {
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  let seen!: () => void;
  const requested = new Promise<void>((resolve) => (seen = resolve));
  await context.route("**/data/fashion-mnist/train-images.idx.gz", async (route: Route) => {
    seen();
    await open;
    await route.continue();
  });
  return { requested, release };
}

/** Opens the panel on the first CNN row and presses Start (smoke preset and wasm from the URL). */
async function startSmokeRun(page: Page): Promise<void> {
  await page.locator('button.rerun[data-config="cnn-32-64-3-64"]').first().click();
  await page.locator(".rerun-panel").waitFor({ state: "visible", timeout: 30_000 });
  await page.locator(".rerun-panel [data-part='start']").click();
}

/** Long tasks on the page's main thread from now on (not buffered). */
async function recordLongTasks(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTasks.push(Math.round(entry.duration));
    }).observe({ type: "longtask" });
  });
  return () => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
}

describe.each(servedSites().filter((s) => s.name === "root" || s.name === "subpath"))("$name site ($base)", (site) => {
  const url = `${site.url}cnn-tuning/?preset=smoke&backend=wasm`;

  it(
    "is cross-origin isolated on a plain static server through its service worker, scoped to the base; a smoke rerun on wasm uses every core (more than one when there are several) and finishes with no long task",
    { retry: 2, timeout: 300_000 },
    async () => {
      const { context, page, errors } = await newContext("allow");
      await page.goto(url);
      // The service worker's first activation reloads the page once; the reloaded page is isolated.
      await page.waitForFunction(() => window.crossOriginIsolated === true, null, { timeout: 60_000 });
      await page.locator("h1").textContent();
      const sw = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        return { scope: registration?.scope, script: registration?.active?.scriptURL, cores: navigator.hardwareConcurrency };
      });
      expect(sw.scope).toBe(site.url);
      expect(sw.script).toBe(`${site.url}coi-serviceworker.js`);

      const workers: string[] = [];
      page.on("worker", (worker) => workers.push(worker.url()));
      const gate = await gateDataset(context);
      await startSmokeRun(page);
      await gate.requested;
      const panel = page.locator(".rerun-panel");
      // The backend started before the download: the threads are known while the run is held.
      await expect.poll(() => panel.getAttribute("data-wasm-threads"), { timeout: 60_000 }).not.toBeNull();
      const threads = Number(await panel.getAttribute("data-wasm-threads"));
      if (sw.cores > 1) expect(threads).toBeGreaterThan(1);
      expect(threads).toBe(sw.cores <= 2 ? Math.max(1, sw.cores) : Math.min(8, sw.cores - 1));
      expect(await panel.locator("[data-part='backend-summary']").textContent()).toBe(`Backend: WebAssembly, ${threads} thread${threads === 1 ? "" : "s"}`);

      // The service worker asking for its reload now (an update, say) must not reload a page with a run.
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
      await page.evaluate(() => (window as unknown as { coi: { doReload: () => void } }).coi.doReload());
      const longTasks = await recordLongTasks(page);
      gate.release();
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 240_000, interval: 500 }).toBe("finished");
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
      expect(await panel.textContent()).toContain(`on WebAssembly, ${threads} thread${threads === 1 ? "" : "s"}.`);
      expect(await longTasks()).toEqual([]);
      // On several threads the trainer started helpers for its JavaScript kernels (kernels/wasm/helper-threads.ts).
      expect(workers.filter((u) => u.includes("kernel-helper")).length).toBe(Math.min(MAX_HELPERS, threads - 1));
      expect(errors).toEqual([]);
      // The finished panel, its live charts drawn, passes axe-core too.
      expect(describeViolations("finished panel", await axeViolations(page))).toEqual([]);
    },
  );

  it(
    "with service workers blocked the page is not isolated, and a smoke rerun on wasm trains on one thread as before",
    { retry: 2, timeout: 300_000 },
    async () => {
      const { context, page, errors } = await newContext("block");
      await page.goto(url);
      await page.locator("h1").textContent();
      expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(false);
      const workers: string[] = [];
      page.on("worker", (worker) => workers.push(worker.url()));
      const gate = await gateDataset(context);
      await startSmokeRun(page);
      await gate.requested;
      const panel = page.locator(".rerun-panel");
      await expect.poll(() => panel.getAttribute("data-wasm-threads"), { timeout: 60_000 }).toBe("1");
      expect(await panel.locator("[data-part='backend-summary']").textContent()).toBe(
        "Backend: WebAssembly, 1 thread (this page is not cross-origin isolated, so one thread)",
      );
      gate.release();
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 240_000, interval: 500 }).toBe("finished");
      // One thread, no shared memory: no kernel helpers.
      expect(workers.filter((u) => u.includes("kernel-helper"))).toEqual([]);
      expect(errors).toEqual([]);
    },
  );
});
