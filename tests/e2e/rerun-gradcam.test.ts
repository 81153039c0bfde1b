/**
 * From a rerun to Grad-CAM, in headless Chromium on the built site: a reader reruns a row (smoke
 * preset, wasm), the panel keeps the run and its model in IndexedDB (src/lib/storage/reruns-db.ts),
 * and the Grad-CAM page, whose worker reads the same store, lists that model and explains with it.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRecordSchema } from "../../src/lib/study/schema.ts";
import { launchBrowser, openRecordedPage, servedSites } from "./browser.ts";
import { installRerunsDb, type WithRerunsDb } from "./reruns-db.ts";

const SHOTS = join(import.meta.dirname, "screenshots", "rerun");
const ROW = "cnn-32-64-3-32";
const root = servedSites().find((s) => s.name === "root")!;

let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Waits until the Grad-CAM tool has drawn its maps; fails with the page's error message if it shows one. */
async function waitForMaps(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const error = document.querySelector<HTMLElement>('[data-gradcam="error"]');
      return (error && !error.hidden) || document.querySelector("[data-gradcam-root]")?.getAttribute("aria-busy") === "false";
    },
    null,
    { timeout: 90_000 },
  );
  const error = page.locator('[data-gradcam="error"]');
  if (await error.isVisible()) throw new Error(`the Grad-CAM page shows an error: ${await error.textContent()}`);
}

describe("a rerun's model in Grad-CAM", () => {
  it(`reruns ${ROW} (smoke, wasm), then opens its model in Grad-CAM from this browser's storage`, async () => {
    const { page, record } = await openRecordedPage(browser, { viewport: { width: 1280, height: 1200 } });
    await page.goto(`${root.url}cnn-tuning/?preset=smoke&backend=wasm`);
    await page.getByRole("button", { name: `Rerun ${ROW}`, exact: true }).click();
    // The panel opens on its choice (smoke checked by ?preset=); training starts on Start.
    await page.locator('.rerun-panel[data-state="choosing"]').waitFor();
    expect(await page.locator('.rerun-panel input[name="rerun-preset"]:checked').inputValue()).toBe("smoke");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>(".rerun-panel")?.dataset.saved, null, { timeout: 240_000 });
    const panel = page.locator(".rerun-panel");
    expect(await panel.getAttribute("data-state")).toBe("finished");
    expect(await panel.getAttribute("data-backend")).toBe("wasm");
    const runId = (await panel.getAttribute("data-saved"))!;
    expect(runId).toMatch(new RegExp(`^${ROW.replace(/\./g, "\\.")}\\.smoke\\.`));

    // What the panel kept, read back through the storage module: the record and a model of its size.
    await installRerunsDb(page);
    const kept = await page.evaluate(async (id) => {
      const { rerunsDb } = globalThis as WithRerunsDb;
      const [run, model, listed] = await Promise.all([rerunsDb.getRerun(id), rerunsDb.getRerunModel(id), rerunsDb.listStoredModels()]);
      rerunsDb.closeRerunsDb();
      return { run, weightBytes: model?.weights.byteLength, listed };
    }, runId);
    const run = runRecordSchema.parse(kept.run);
    expect(run).toMatchObject({ runId, rowId: ROW, source: "reader", environment: { backend: "wasm" } });
    expect(kept.weightBytes).toBe(run.parameters * 4);
    expect(kept.listed.map((m) => m.runId)).toEqual([runId]);

    await page.goto(`${root.url}gradcam/?image=5&model=${encodeURIComponent(runId)}`);
    await waitForMaps(page);
    expect(await page.inputValue('[data-gradcam="model"]')).toBe(`run:${runId}`);
    expect(await page.locator(`[data-gradcam="model"] option[value="run:${runId}"]`).textContent()).toMatch(
      // Row, preset, test accuracy, then when it finished (in the browser's locale).
      new RegExp(`^Your rerun: ${ROW} · Smoke · test ${(run.metrics.test.accuracy * 100).toFixed(2)}% · \\S.*\\d`),
    );
    expect(await page.$$eval('[data-gradcam="layer"] option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(["conv1", "conv2"]);
    const info = (await page.textContent('[data-gradcam="model-info"]'))!;
    expect(info).toContain("trained by you in this browser");
    expect(info).toContain(`(run ${runId}, smoke protocol`);
    expect(info).toContain(`test accuracy ${(run.metrics.test.accuracy * 100).toFixed(2)}%`);
    // No ?backend=: Grad-CAM chose like the trainer, and wasm beats software WebGL here.
    expect(info).toContain("running on WebAssembly (picked automatically)");
    expect(await page.inputValue('[data-gradcam="backend"]')).toBe("auto");
    expect(new URL(page.url()).searchParams.get("model")).toBe(runId);

    // The maps are this model's: conv2's is not flat, and the prediction is one of the classes.
    await page.selectOption('[data-gradcam="layer"]', "conv2");
    const colours = await page.$eval('canvas[data-gradcam="heatmap"]', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      return new Set(new Uint32Array(data.buffer, data.byteOffset, data.length / 4)).size;
    });
    expect(colours).toBeGreaterThan(10);
    expect((await page.textContent('[data-gradcam="predicted"]'))?.trim()).not.toBe("");
    await page.screenshot({ path: join(SHOTS, "rerun-gradcam.png"), fullPage: true });
    expect(record.consoleErrors).toEqual([]);
    expect(record.failedRequests).toEqual([]);
    await page.close();
  }, 360_000);
});
