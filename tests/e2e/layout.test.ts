/**
 * Layout at a desktop (1280 px) and a phone (390 px) width, on every state of the run records the
 * e2e setup builds: no page is wider than the window, with or without a rerun stored in this
 * browser ("Your reruns" filled); on a phone the first tuning row's Rerun button and reproduced
 * cell can be reached and the rerun panel opens on screen; at 1280 px the open panel covers none
 * of the first row; the Overview's run-records table fits 1280 px; chart text is at least 11 px as
 * rendered. Screenshots go to tests/e2e/screenshots/<site>/layout-*.png (git-ignored).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { NAV_ITEMS } from "../../src/lib/site.ts";
import { runRecordSchema, type RunRecord } from "../../src/lib/study/schema.ts";
import { launchBrowser, servedSites, type E2ESite } from "./browser.ts";
import { installRerunsDb, type WithRerunsDb } from "./reruns-db.ts";

const SCREENSHOTS = join(import.meta.dirname, "screenshots");
const WIDTHS = [1280, 390] as const;
/** Smallest chart text a reader gets, in CSS px as rendered. */
const MIN_CHART_TEXT_PX = 11;

// The sub-path build lays out like the root one; one build per state of the run records.
const sites: E2ESite[] = servedSites().filter((site, i, all) => all.findIndex((s) => s.runsDir === site.runsDir) === i);

/**
 * A rerun as the panel stores one, with the longest cells a browser gives it (a software GPU's
 * name, a user agent), so "Your reruns" is as wide as it gets.
 */
const storedRerun: RunRecord = (() => {
  const fixture = runRecordSchema.parse(JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/runs/resnet-2x32.quick.fixture-22.json"), "utf8")));
  return runRecordSchema.parse({
    ...fixture,
    runId: "resnet-2x32.quick.2026-12-04T10-00-00-000Z",
    source: "reader",
    finishedAt: "2026-12-04T10:00:00.000Z",
    environment: {
      runtime: "browser",
      backend: "webgl",
      tfjsVersion: fixture.environment.tfjsVersion,
      cores: 16,
      gpu: "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
    },
  });
})();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh context (empty IndexedDB) at a width; phones get touch and the mobile viewport. */
function newContext(width: number): Promise<BrowserContext> {
  const phone = width < 500;
  // No service worker: its one reload on a first visit would race with the measurements.
  return browser.newContext({
    viewport: { width, height: phone ? 844 : 900 },
    isMobile: phone,
    hasTouch: phone,
    colorScheme: "light",
    serviceWorkers: "block",
  });
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(url, { waitUntil: "networkidle" });
  expect(response?.status(), url).toBe(200);
  return page;
}

/** How far the page is wider than the window, in px (0 when it fits). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Waits until "Your reruns" (where the page has it) lists `count` runs in its table. */
async function waitForYourReruns(page: Page, count: number): Promise<void> {
  if ((await page.locator("[data-your-reruns]").count()) === 0) return;
  await page.waitForFunction(
    (n) => {
      const section = document.querySelector<HTMLElement>("[data-your-reruns]");
      return section?.dataset.count === String(n) && section.querySelectorAll(".your-reruns-table tbody tr").length === n;
    },
    count,
    { timeout: 15_000 },
  );
}

/** Keeps `record` in this context's IndexedDB through the site's own storage module. */
async function storeRerun(page: Page, record: RunRecord): Promise<void> {
  await installRerunsDb(page);
  await page.evaluate(async (r) => {
    const { rerunsDb } = globalThis as WithRerunsDb;
    await rerunsDb.saveRerun(r);
    rerunsDb.closeRerunsDb();
  }, record);
}

/**
 * Whether the element at the centre of `selector`'s first match (in the viewport) is that element
 * or inside it, i.e. nothing covers it; with its box and the viewport for messages.
 */
function uncovered(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const target = document.querySelector(sel);
    if (!target) return { found: false, hit: false, inViewport: false, box: null, at: "" };
    const r = target.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const inViewport = r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight;
    const at = document.elementFromPoint(x, y);
    return {
      found: true,
      hit: at !== null && (at === target || target.contains(at)),
      inViewport,
      box: { left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right), bottom: Math.round(r.bottom) },
      at: at ? `${at.tagName.toLowerCase()}.${[...at.classList].join(".")}` : "nothing",
    };
  }, selector);
}

const FIRST_ROW = "table.tuning tbody tr:first-child";
const FIRST_RERUN = `${FIRST_ROW} button.rerun[data-config]`;
/** The first row's full-protocol validation cell: the number, or "not yet reproduced (full protocol)". */
const FIRST_REPRODUCED = `${FIRST_ROW} td:is([data-provenance="reproduced"], [data-status="not-reproduced"])`;

/** Opens the rerun panel from the first row's Rerun button: it shows the preset choice (nothing trains yet). */
async function openPanel(page: Page, tap: boolean): Promise<void> {
  const button = page.locator(FIRST_RERUN);
  await button.scrollIntoViewIfNeeded();
  if (tap) await button.tap();
  else await button.click();
  const panel = page.locator(".rerun-panel");
  await panel.waitFor({ state: "visible", timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector<HTMLElement>(".rerun-panel")?.dataset.state === "choosing", null, {
    timeout: 30_000,
  });
  expect(await panel.isVisible()).toBe(true);
}

describe.each(sites)("$name build ($runsDir)", (site) => {
  const shots = join(SCREENSHOTS, site.name);
  beforeAll(() => {
    mkdirSync(shots, { recursive: true });
  });

  describe.each(WIDTHS)("at %i px", (width) => {
    it("keeps every page within the window, without and then with a rerun stored in this browser", async () => {
      const context = await newContext(width);
      try {
        const wider: string[] = [];
        const wrongButtons: string[] = [];
        for (const stored of [false, true]) {
          for (const item of NAV_ITEMS) {
            const page = await open(context, site.url + item.path);
            if (stored) await waitForYourReruns(page, 1);
            const extra = await overflow(page);
            if (extra > 0) wider.push(`/${item.path} ${stored ? "with" : "without"} a stored rerun: ${extra} px wider`);
            if (stored && (await page.locator("[data-your-reruns]").count())) {
              await page.locator("[data-your-reruns]").screenshot({ path: join(shots, `layout-your-reruns-${width}.png`) });
              // The rerun was kept without a model: its row offers JSON and Delete, no Model button that would do nothing.
              const buttons = await page.locator("[data-your-reruns] tbody tr").first().getByRole("button").allTextContents();
              if (buttons.join(",") !== "JSON,Delete") wrongButtons.push(`/${item.path}: ${buttons.join(", ")}`);
            }
            await page.close();
          }
          if (!stored) {
            const page = await open(context, site.url + "cnn-tuning/");
            await storeRerun(page, storedRerun);
            await page.close();
          }
        }
        expect(wider).toEqual([]);
        expect(wrongButtons).toEqual([]);
      } finally {
        await context.close();
      }
    }, 180_000);

    it(`renders chart text at ${MIN_CHART_TEXT_PX} px or more`, async () => {
      const context = await newContext(width);
      try {
        const small: string[] = [];
        let measured = 0;
        for (const path of ["cnn-tuning/", "resnet-tuning/", "best-model/"]) {
          const page = await open(context, site.url + path);
          const sizes = await page.evaluate(() => {
            const out: { text: string; px: number }[] = [];
            for (const svg of document.querySelectorAll<SVGSVGElement>(".chart-box svg")) {
              const box = svg.viewBox.baseVal;
              const scale = box && box.width > 0 ? svg.getBoundingClientRect().width / box.width : 1;
              for (const text of svg.querySelectorAll("text")) {
                const content = text.textContent?.trim() ?? "";
                if (content) out.push({ text: content, px: parseFloat(getComputedStyle(text).fontSize) * scale });
              }
            }
            // Plot's HTML legends (swatches).
            for (const item of document.querySelectorAll<HTMLElement>(".chart-box [class$='-swatch'], .chart-box [class*='-swatch ']")) {
              const content = item.textContent?.trim() ?? "";
              if (content) out.push({ text: content, px: parseFloat(getComputedStyle(item).fontSize) });
            }
            return out;
          });
          measured += sizes.length;
          for (const s of sizes) if (s.px < 11) small.push(`/${path} "${s.text}": ${s.px.toFixed(2)} px`);
          if (path === "best-model/") await page.screenshot({ path: join(shots, `layout-best-model-${width}.png`), fullPage: true });
          await page.close();
        }
        // The tuning pages always have their charts, so something was measured.
        expect(measured).toBeGreaterThan(0);
        expect(small.slice(0, 20)).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  });

  it("at 390 px: the first tuning row's Rerun button is on screen, its reproduced cell scrolls into view uncovered, and the panel opens on screen", async () => {
    const context = await newContext(390);
    try {
      const first = await open(context, site.url + "cnn-tuning/");
      await storeRerun(first, storedRerun);
      await first.close();
      const page = await open(context, `${site.url}cnn-tuning/?preset=smoke&backend=wasm`);
      await waitForYourReruns(page, 1);

      // Rerun: on screen once the row is, without scrolling the table sideways.
      await page.locator(FIRST_ROW).evaluate((row) => row.scrollIntoView({ block: "center" }));
      const rerun = await uncovered(page, FIRST_RERUN);
      expect(rerun, JSON.stringify(rerun)).toMatchObject({ found: true, hit: true, inViewport: true });
      expect(await page.locator(".tuning-scroll").evaluate((el) => el.scrollLeft)).toBe(0);

      // The reproduced column: scrolled into view inside the table's box, clear of the sticky id column.
      await page
        .locator(FIRST_REPRODUCED)
        .first()
        .evaluate((cell) => cell.scrollIntoView({ block: "center", inline: "nearest" }));
      const reproduced = await uncovered(page, FIRST_REPRODUCED);
      expect(reproduced, JSON.stringify(reproduced)).toMatchObject({ found: true, hit: true, inViewport: true });
      await page.screenshot({ path: join(shots, "layout-cnn-tuning-reproduced-390.png") });
      expect(await overflow(page)).toBeLessThanOrEqual(0);

      // Back to Rerun, tapped: the panel opens within the screen.
      await page.locator(".tuning-scroll").evaluate((el) => (el.scrollLeft = 0));
      await openPanel(page, true);
      const panel = await page.locator(".rerun-panel").evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: window.innerWidth, height: window.innerHeight };
      });
      await page.screenshot({ path: join(shots, "layout-panel-390.png") });
      expect(panel.left).toBeGreaterThanOrEqual(0);
      expect(panel.top).toBeGreaterThanOrEqual(0);
      expect(panel.right).toBeLessThanOrEqual(panel.width);
      expect(panel.bottom).toBeLessThanOrEqual(panel.height);
      expect(await overflow(page)).toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("at 1280 px: the open rerun panel covers neither the first row's Rerun button nor its reproduced cell, and gives the room back when closed", async () => {
    const context = await newContext(1280);
    try {
      const page = await open(context, `${site.url}cnn-tuning/?preset=smoke&backend=wasm`);
      await openPanel(page, false);
      await page.locator(FIRST_ROW).evaluate((row) => row.scrollIntoView({ block: "center" }));
      await page.screenshot({ path: join(shots, "layout-panel-1280.png") });
      for (const selector of [FIRST_RERUN, FIRST_REPRODUCED]) {
        const seen = await uncovered(page, selector);
        expect(seen, `${selector}: ${JSON.stringify(seen)}`).toMatchObject({ found: true, hit: true, inViewport: true });
      }
      expect(await overflow(page)).toBeLessThanOrEqual(0);
      // Closed, the panel gives the page its width back.
      const roomy = () => page.evaluate(() => document.querySelector("main")!.getBoundingClientRect().width);
      const narrowed = await roomy();
      await page.getByRole("button", { name: "Close the rerun panel" }).click();
      await expect.poll(roomy).toBeGreaterThan(narrowed + 400);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("fits the Overview's run-records table in 1280 px, and lets it scroll inside its own box at 390 px", async () => {
    for (const width of WIDTHS) {
      const context = await newContext(width);
      try {
        const page = await open(context, site.url);
        const box = await page.evaluate(() => {
          const table = document.querySelector("table.runs-list");
          const scroll = table?.closest<HTMLElement>(".table-scroll");
          return scroll ? { scrollWidth: scroll.scrollWidth, clientWidth: scroll.clientWidth } : null;
        });
        await page.screenshot({ path: join(shots, `layout-overview-${width}.png`), fullPage: true });
        const pageOverflow = await overflow(page);
        await page.close();
        expect(pageOverflow).toBeLessThanOrEqual(0);
        // A build without run records has no such table.
        expect(box !== null, "run-records table").toBe(readRuns(site.runsDir).length > 0);
        if (!box) continue;
        if (width === 1280) expect(box.scrollWidth, JSON.stringify(box)).toBeLessThanOrEqual(box.clientWidth);
        else expect(box.clientWidth).toBeLessThanOrEqual(width);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
