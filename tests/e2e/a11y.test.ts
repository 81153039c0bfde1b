/**
 * Accessibility: axe-core (the engine of browsers' accessibility audits) on every page of the built
 * site, at 1280 and 390 px, with a reader's rerun stored in the browser ("Your reruns" filled), and
 * on a tuning page with the rerun panel open. Any violation, of any impact, fails the test; the
 * message lists each rule with the elements it found.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAV_ITEMS } from "../../src/lib/site.ts";
import { runRecordSchema, type RunRecord } from "../../src/lib/study/schema.ts";
import { launchBrowser, openRecordedPage, servedSites } from "./browser.ts";
import { axeViolations, describeViolations } from "./axe.ts";
import { installRerunsDb, type WithRerunsDb } from "./reruns-db.ts";

const PAGES = [...NAV_ITEMS.map((item) => item.path), "no-such-page/"];
const WIDTHS = [1280, 390] as const;

/** A reader's finished rerun, as the panel stores it. */
const storedRerun: RunRecord = (() => {
  const fixture = runRecordSchema.parse(JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/runs/resnet-2x32.quick.fixture-22.json"), "utf8")));
  return runRecordSchema.parse({
    ...fixture,
    runId: "resnet-2x32.quick.2026-12-05T10-00-00-000Z",
    source: "reader",
    environment: { ...fixture.environment, runtime: "browser", backend: "wasm", wasmThreads: 2 },
  });
})();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(servedSites().filter((s) => s.name === "root" || s.name === "runs-swapped"))("axe-core on the $name site", (site) => {
  it.each(WIDTHS)(
    "at %i px: no violation on any page, with a stored rerun",
    async (width) => {
      const phone = width < 500;
      const { page } = await openRecordedPage(browser, { viewport: { width, height: phone ? 844 : 900 }, isMobile: phone, hasTouch: phone });
      try {
        await page.goto(site.url);
        await installRerunsDb(page);
        await page.evaluate(async (r) => {
          const { rerunsDb } = globalThis as WithRerunsDb;
          await rerunsDb.saveRerun(r);
          rerunsDb.closeRerunsDb();
        }, storedRerun);
        const found: string[] = [];
        for (const path of PAGES) {
          await page.goto(site.url + path, { waitUntil: "networkidle" });
          // "Your reruns" loads when the page is idle: wait for the stored run to be listed.
          if ((await page.locator("[data-your-reruns]").count()) > 0) {
            await page.waitForFunction(() => document.querySelector<HTMLElement>("[data-your-reruns]")?.dataset.count === "1", null, { timeout: 30_000 });
          }
          found.push(...describeViolations(`/${path} at ${width} px`, await axeViolations(page)));
        }
        expect(found).toEqual([]);
      } finally {
        await page.close();
      }
    },
    240_000,
  );

  it.each(WIDTHS)(
    "at %i px: no violation with the rerun panel open on the CNN tuning page",
    async (width) => {
      const phone = width < 500;
      const { page } = await openRecordedPage(browser, { viewport: { width, height: phone ? 844 : 900 }, isMobile: phone, hasTouch: phone });
      try {
        await page.goto(`${site.url}cnn-tuning/?preset=smoke&backend=wasm`, { waitUntil: "networkidle" });
        await page.locator("button.rerun[data-config]").first().click();
        await page.locator(".rerun-panel").waitFor({ state: "visible", timeout: 30_000 });
        expect(describeViolations(`panel at ${width} px`, await axeViolations(page))).toEqual([]);
      } finally {
        await page.close();
      }
    },
    120_000,
  );
});
