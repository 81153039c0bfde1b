/**
 * The Grad-CAM page in chromium, on every served build: it follows its URL contract
 * (?image=<test index>&layer=<layer name>), draws heat maps that are not uniform into
 * [data-gradcam="heatmap"], names the predicted class in [data-gradcam="predicted"], keeps the URL
 * in sync with the reader's picks, and can use a model the reader trained (IndexedDB, written here
 * through the site's own storage module, src/lib/storage/reruns-db.ts).
 * Needs the shipped model (public/data/models/cnn-32-64-3-64/) and the prepared data.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelToFiles } from "../../src/lib/model/model-io.ts";
import { buildResNet } from "../../src/lib/model/builders.ts";
import { runRecordSchema } from "../../src/lib/study/schema.ts";
import { CLASS_NAMES } from "../../src/lib/study/study.ts";
import { launchBrowser, openRecordedPage, servedSites, type RecordedPage } from "./browser.ts";
import { installRerunsDb, type WithRerunsDb } from "./reruns-db.ts";

const SCREENSHOTS = join(import.meta.dirname, "screenshots");

/** Waits until the tool has drawn its maps; fails with the page's error message if it shows one. */
async function waitForMaps(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const root = document.querySelector("[data-gradcam-root]");
      const error = document.querySelector<HTMLElement>('[data-gradcam="error"]');
      return (error && !error.hidden) || root?.getAttribute("aria-busy") === "false";
    },
    null,
    { timeout: 90_000 },
  );
  const error = page.locator('[data-gradcam="error"]');
  if (await error.isVisible()) throw new Error(`the Grad-CAM page shows an error: ${await error.textContent()}`);
}

/** Number of distinct RGBA values in a canvas. */
function distinctColours(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    const view = new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
    for (const v of view) seen.add(v);
    return seen.size;
  });
}

const sites = servedSites();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe.each(sites.map((site) => [site.name, site] as const))("Grad-CAM on the %s build", (_, site) => {
  it("follows ?image=0&layer=conv1, names the predicted class and draws non-uniform heat maps", async () => {
    const { page, record }: RecordedPage = await openRecordedPage(browser, { viewport: { width: 1100, height: 1200 } });
    await page.goto(`${site.url}gradcam/?image=0&layer=conv1`);
    await waitForMaps(page);
    expect(await page.inputValue('[data-gradcam="index"]')).toBe("0");
    expect(await page.inputValue('[data-gradcam="layer"]')).toBe("conv1");
    expect(new URL(page.url()).searchParams.get("image")).toBe("0");
    expect(new URL(page.url()).searchParams.get("layer")).toBe("conv1");
    expect(CLASS_NAMES as readonly string[]).toContain((await page.textContent('[data-gradcam="predicted"]'))?.trim());
    // At conv1 a confident model may have no positive evidence at all for its class (the map is
    // then all zeros, which the page says); the drawn canvas must agree with that note.
    const empty = await page.isVisible('[data-gradcam="empty-note"]');
    const conv1Colours = await distinctColours(page, 'canvas[data-gradcam="heatmap"]');
    if (empty) expect(conv1Colours).toBe(1);
    else expect(conv1Colours).toBeGreaterThan(10);
    await page.selectOption('[data-gradcam="layer"]', "conv2");
    expect(await distinctColours(page, 'canvas[data-gradcam="heatmap"]')).toBeGreaterThan(10);
    expect(await page.isVisible('[data-gradcam="empty-note"]')).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, `${site.name}-gradcam.png`), fullPage: true });
    expect(record.consoleErrors).toEqual([]);
    expect(record.failedRequests).toEqual([]);
    await page.close();
  });
});

describe("Grad-CAM page controls", () => {
  const site = sites[0];

  it("follows the reader's picks of image and layer, and keeps the URL in sync", async () => {
    const { page, record } = await openRecordedPage(browser);
    await page.goto(`${site.url}gradcam/?image=0&layer=conv1`);
    await waitForMaps(page);
    const before = await page.$eval('canvas[data-gradcam="image"]', (c) => (c as HTMLCanvasElement).toDataURL());
    await page.fill('[data-gradcam="index"]', "17");
    await page.press('[data-gradcam="index"]', "Enter");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("image") === "17");
    await waitForMaps(page);
    expect(await page.$eval('canvas[data-gradcam="image"]', (c) => (c as HTMLCanvasElement).toDataURL())).not.toBe(before);
    await page.selectOption('[data-gradcam="layer"]', "conv2");
    expect(new URL(page.url()).searchParams.get("layer")).toBe("conv2");
    expect(await page.textContent('[data-gradcam="heatmap-caption"]')).toContain("conv2 (11×11)");
    expect(await page.locator('[data-gradcam="compare"] figure').count()).toBe(2);
    expect(record.consoleErrors).toEqual([]);
    await page.close();
  });

  it("opens a misclassified test image on request", async () => {
    const { page } = await openRecordedPage(browser);
    await page.goto(`${site.url}gradcam/?image=0&layer=conv1`);
    await waitForMaps(page);
    await page.click('[data-gradcam="random-wrong"]');
    await page.waitForFunction(() => document.querySelector('[data-gradcam="truth"]')?.textContent?.includes("misclassified"), null, {
      timeout: 90_000,
    });
    await waitForMaps(page);
    await page.close();
  });

  it("explains with a model the reader trained, found in IndexedDB", async () => {
    await tf.setBackend("cpu");
    const model = buildResNet({ blocks: 1, filters: 4 }, 2);
    const files = await modelToFiles(model);
    model.dispose();
    const { page, record } = await openRecordedPage(browser);
    await page.goto(`${site.url}gradcam/?image=3&layer=conv1`);
    await waitForMaps(page);
    // Stored as the rerun panel stores a finished run: the site's storage module, in the page.
    const fixture = runRecordSchema.parse(JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/runs/resnet-2x32.quick.fixture-22.json"), "utf8")));
    // The record's config must be the model's: the schema checks that rowId names config.
    const stored = {
      ...fixture,
      runId: "e2e-run",
      rowId: "resnet-1x4",
      config: { family: "resnet" as const, blocks: 1, filters: 4 },
      source: "reader" as const,
      finishedAt: "2026-11-24T10:00:00.000Z",
    };
    await installRerunsDb(page);
    await page.evaluate(
      async ({ record, modelJson, weights }) => {
        const { rerunsDb } = globalThis as WithRerunsDb;
        const bytes = Uint8Array.from(weights);
        await rerunsDb.saveRerun(record, undefined, {
          runId: record.runId,
          rowId: record.rowId,
          createdAt: record.finishedAt,
          modelJson,
          weights: bytes.buffer,
        });
        rerunsDb.closeRerunsDb();
      },
      { record: stored, modelJson: files.modelJson, weights: Array.from(files.weights) },
    );
    await page.goto(`${site.url}gradcam/?image=3&model=e2e-run&layer=block1_out`);
    await waitForMaps(page);
    expect(await page.inputValue('[data-gradcam="model"]')).toBe("run:e2e-run");
    expect(await page.$$eval('[data-gradcam="layer"] option', (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual([
      "stem_relu",
      "block1_out",
    ]);
    expect(await page.inputValue('[data-gradcam="layer"]')).toBe("block1_out");
    expect(await distinctColours(page, 'canvas[data-gradcam="heatmap"]')).toBeGreaterThan(10);
    const info = await page.textContent('[data-gradcam="model-info"]');
    expect(info).toContain("trained by you in this browser");
    expect(info).toContain("(run e2e-run, quick protocol");
    // Its menu entry names the row, the preset, the test accuracy and when it finished.
    const label = (await page.locator('[data-gradcam="model"] option[value="run:e2e-run"]').textContent())!;
    expect(label).toMatch(new RegExp(`^Your rerun: resnet-1x4 · Quick · test ${(stored.metrics.test.accuracy * 100).toFixed(2)}% · .*2026`));
    expect(await page.getAttribute('[data-gradcam="model"]', "title")).toBe(label);
    // However long that label, the menu stays inside its fieldset and clear of the backend menu, on a phone and a desktop.
    for (const viewport of [
      { width: 390, height: 844 },
      { width: 1280, height: 900 },
    ]) {
      await page.setViewportSize(viewport);
      const boxes = await page.evaluate(() => {
        const box = (el: Element) => {
          const r = el.getBoundingClientRect();
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
        };
        const model = document.querySelector('[data-gradcam="model"]')!;
        const fieldset = model.closest("fieldset")!;
        const others = [...document.querySelectorAll('[data-gradcam="controls"] :is(fieldset, select, input, button)')].filter(
          (el) => el !== model && el !== fieldset,
        );
        return { model: box(model), fieldset: box(fieldset), others: others.map(box), width: document.documentElement.clientWidth };
      });
      const at = `${viewport.width} px`;
      expect(boxes.model.left, at).toBeGreaterThanOrEqual(boxes.fieldset.left);
      expect(boxes.model.right, at).toBeLessThanOrEqual(boxes.fieldset.right);
      expect(boxes.fieldset.right, at).toBeLessThanOrEqual(boxes.width);
      type Box = (typeof boxes)["model"];
      const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      // Neither the menu nor its fieldset runs into another control or fieldset.
      expect(
        boxes.others.filter((b) => overlaps(boxes.model, b)),
        at,
      ).toEqual([]);
      expect(
        boxes.others.filter(
          (b) =>
            overlaps(boxes.fieldset, b) &&
            !(b.left >= boxes.fieldset.left && b.right <= boxes.fieldset.right && b.top >= boxes.fieldset.top && b.bottom <= boxes.fieldset.bottom),
        ),
        at,
      ).toEqual([]);
      await page.locator('[data-gradcam="controls"]').screenshot({ path: join(SCREENSHOTS, `gradcam-your-model-${viewport.width}.png`) });
    }
    expect(record.consoleErrors).toEqual([]);
    await page.close();
  });

  for (const [query, message, shown] of [
    ["image=-5&layer=conv1", "?image=-5 is not an image number 0–9,999; showing image 0.", { image: "0", layer: "conv1" }],
    ["image=abc&layer=conv1", "?image=abc is not an image number 0–9,999; showing image 0.", { image: "0", layer: "conv1" }],
    ["image=10000&layer=conv1", "?image=10000 is past the last test image (9,999); showing image 9,999.", { image: "9999", layer: "conv1" }],
    ["image=4&layer=nope", "?layer=nope is not a layer of this model (conv1, conv2); showing conv2.", { image: "4", layer: "conv2" }],
    ["image=4&target=12", "?target=12 is not a class number 0–9; explaining the predicted class.", { image: "4", layer: "conv2" }],
  ] as const)
    it(`says what was wrong with ?${query} and what it shows instead`, async () => {
      const { page, record } = await openRecordedPage(browser, { viewport: { width: 390, height: 844 } });
      await page.goto(`${site.url}gradcam/?${query}`);
      await waitForMaps(page);
      const problem = page.getByTestId("url-problem");
      expect(await problem.isVisible()).toBe(true);
      expect(await problem.getAttribute("role")).toBe("status");
      expect(await problem.textContent()).toBe(message);
      // The page shows what the message says, and the URL says so too.
      expect(await page.inputValue('[data-gradcam="index"]')).toBe(shown.image);
      expect(await page.inputValue('[data-gradcam="layer"]')).toBe(shown.layer);
      const url = new URL(page.url());
      expect(url.searchParams.get("image")).toBe(shown.image);
      expect(url.searchParams.get("layer")).toBe(shown.layer);
      expect(url.searchParams.has("target")).toBe(false);
      if (query.startsWith("image=abc")) await page.screenshot({ path: join(SCREENSHOTS, "gradcam-url-problem-390.png") });
      // Once the reader picks what the URL got wrong, the message goes.
      if (query.includes("layer=nope")) await page.selectOption('[data-gradcam="layer"]', "conv1");
      else if (query.includes("target=")) await page.selectOption('[data-gradcam="target"]', "3");
      else {
        await page.fill('[data-gradcam="index"]', "17");
        await page.press('[data-gradcam="index"]', "Enter");
      }
      await expect.poll(() => problem.isVisible()).toBe(false);
      expect(record.consoleErrors).toEqual([]);
      await page.close();
    });

  it("shows no URL message for a good URL", async () => {
    const { page } = await openRecordedPage(browser);
    await page.goto(`${site.url}gradcam/?image=7&layer=conv1&target=2`);
    await waitForMaps(page);
    expect(await page.getByTestId("url-problem").isHidden()).toBe(true);
    await page.close();
  });
});
