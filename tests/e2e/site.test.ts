/**
 * Every page of every served build (root, sub-path, and the other state of the run records):
 * loads cleanly, stays within the JavaScript budget, resolves every link and asset under its base,
 * shows the original study's numbers labelled as such, and has its tables and charts.
 * Screenshots go to tests/e2e/screenshots/<site>/ (git-ignored) for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { selectBestRuns, selectDetailRun } from "../../src/lib/study/runs.ts";
import { NAV_ITEMS, PROVENANCE_LABELS } from "../../src/lib/site.ts";
import { formatLoss, formatPercent } from "../../src/lib/format.ts";
import { ORIGINAL_STUDY } from "../../src/lib/study/study.ts";
import { buildTuningRows } from "../../src/lib/study/tuning-rows.ts";
import { MIN_SEED_RUNS, summariseRowRuns } from "../../src/lib/study/seed-summary.ts";
import { launchBrowser, openRecordedPage, servedSites, type E2ESite, type RecordedPage } from "./browser.ts";

const JS_BUDGET = 30 * 1024;
const SCREENSHOTS = join(import.meta.dirname, "screenshots");

/** What each page must show, given how many rows are reproduced. */
interface PageSpec {
  path: string;
  name: string;
  /** Minimum number of tables. */
  tables: number;
  /** Exact number of build-time charts, given the site's runs. */
  charts: (site: SiteState) => number;
  /** Original-study numbers this page must show, as printed. */
  originals: string[];
}

interface SiteState {
  site: E2ESite;
  /** Rows reproduced with the full protocol. */
  cnnReproduced: number;
  resnetReproduced: number;
  /** The original's best row has a full-protocol run. */
  bestModelReproduced: boolean;
  bestModelMistakes: number;
  /** The Best model page shows figures of a run (its own, or this site's best full-protocol one). */
  bestModelDetail: boolean;
}

const best = ORIGINAL_STUDY.bestModel;
const bestModelNumbers = [formatPercent(best.valAccuracy)].concat(
  (["test", "validation", "train"] as const).flatMap((split) => [
    formatLoss(best[split].loss),
    formatPercent(best[split].accuracy),
    formatPercent(best[split].precision),
    formatPercent(best[split].recall),
    formatPercent(best[split].f1),
  ]),
);
const PAGES: PageSpec[] = [
  {
    path: "",
    name: "overview",
    tables: 1,
    charts: () => 0,
    originals: [ORIGINAL_STUDY.cnnTuning[0], ORIGINAL_STUDY.resnetTuning[0]]
      .map((r) => formatPercent(r.valAccuracy))
      .concat([formatPercent(best.test.accuracy), formatPercent(best.test.f1)]),
  },
  { path: "dataset/", name: "dataset", tables: 1, charts: () => 0, originals: [] },
  {
    path: "cnn-tuning/",
    name: "cnn-tuning",
    tables: 1,
    charts: () => 4,
    originals: ORIGINAL_STUDY.cnnTuning.map((r) => formatPercent(r.valAccuracy)),
  },
  {
    path: "resnet-tuning/",
    name: "resnet-tuning",
    tables: 1,
    charts: () => 2,
    originals: ORIGINAL_STUDY.resnetTuning.map((r) => formatPercent(r.valAccuracy)),
  },
  {
    path: "best-model/",
    name: "best-model",
    tables: 1,
    charts: (s) => (s.bestModelDetail ? 4 : 0),
    originals: bestModelNumbers,
  },
  { path: "methodology/", name: "methodology", tables: 4, charts: () => 0, originals: [] },
];

function stateOf(site: E2ESite): SiteState {
  const runs = readRuns(site.runsDir);
  const bestRuns = selectBestRuns(runs);
  const resnetRows = buildTuningRows("resnet", runs);
  const detail = selectDetailRun(bestRuns, best.id)?.run;
  return {
    site,
    cnnReproduced: buildTuningRows("cnn", runs).filter((r) => r.reproduced).length,
    resnetReproduced: resnetRows.filter((r) => r.reproduced).length,
    bestModelReproduced: resnetRows.some((r) => r.id === best.id && r.reproduced),
    bestModelMistakes: Math.min(24, detail?.misclassified?.length ?? 0),
    bestModelDetail: detail !== undefined,
  };
}

/** Gzip bytes of the JavaScript a page ran: downloaded script files plus inline scripts. */
async function javascriptBytes(opened: RecordedPage): Promise<number> {
  await opened.settle();
  const inline = await opened.page.$$eval("script:not([src])", (scripts) =>
    (scripts as HTMLScriptElement[]).filter((s) => !s.type || s.type === "module" || s.type.includes("javascript")).map((s) => s.textContent ?? ""),
  );
  return (
    opened.record.scripts.reduce((sum, s) => sum + gzipSync(s.body).length, 0) +
    inline.reduce((sum, text) => sum + (text.trim() ? gzipSync(text).length : 0), 0)
  );
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(servedSites().map(stateOf))("$site.name build ($site.base)", (state) => {
  const { site } = state;

  describe.each(PAGES)("page /$path", (spec) => {
    let opened: RecordedPage;
    let page: Page;
    beforeAll(async () => {
      opened = await openRecordedPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: "light" });
      page = opened.page;
      const response = await page.goto(site.url + spec.path, { waitUntil: "networkidle" });
      expect(response?.status()).toBe(200);
    });
    afterAll(async () => {
      await page?.close();
    });

    it("logs no console errors", () => {
      expect(opened.record.consoleErrors).toEqual([]);
    });
    it("has no failed requests", () => {
      expect(opened.record.failedRequests).toEqual([]);
    });
    it("requests nothing from another origin", () => {
      const origin = new URL(site.url).origin;
      expect(opened.record.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    });
    it("loads no TensorFlow.js", async () => {
      await opened.settle();
      const tfjs = opened.record.scripts.filter((s) => /tfjs|tensorflow/i.test(s.url) || /tensorflow/i.test(s.body.toString("utf8")));
      expect(tfjs.map((s) => s.url)).toEqual([]);
    });
    it(`ships at most ${JS_BUDGET / 1024} KB of JavaScript (gzip) before interaction`, async () => {
      expect(await javascriptBytes(opened)).toBeLessThanOrEqual(JS_BUDGET);
    });
    it("has one h1 and the navigation with this page marked current", async () => {
      expect(await page.locator("h1").count()).toBe(1);
      const nav = page.getByRole("navigation", { name: "Main" });
      expect(await nav.getByRole("link").allTextContents()).toEqual(NAV_ITEMS.map((n) => n.label));
      expect(await nav.locator('[aria-current="page"]').getAttribute("href")).toBe(site.base + spec.path);
    });
    it("gives every table a caption and scoped header cells", async () => {
      const tables = await page.$$eval("table", (list) =>
        list.map((t) => ({
          caption: t.caption?.textContent?.trim() ?? "",
          unscoped: [...t.querySelectorAll("th")].filter((th) => !th.getAttribute("scope")).length,
        })),
      );
      expect(tables.length).toBeGreaterThanOrEqual(spec.tables);
      for (const t of tables) expect(t).toEqual({ caption: expect.stringMatching(/\S/), unscoped: 0 });
    });
    it("has its charts, each in a figure whose caption says what is plotted", async () => {
      const charts = await page.$$eval("svg.chart", (list) =>
        list.map((svg) => ({
          caption: svg.closest(".chart-box")?.querySelector(":scope > figcaption")?.textContent?.trim() ?? "",
          marks: svg.querySelectorAll("g[aria-label]").length,
        })),
      );
      expect(charts).toHaveLength(spec.charts(state));
      for (const c of charts) {
        expect(c.caption.length).toBeGreaterThan(40);
        expect(c.marks).toBeGreaterThan(0);
      }
    });
    it("resolves every link, image and stylesheet under the site's base", async () => {
      const urls = await page.$$eval("a[href], img[src], link[href], script[src]", (list) =>
        list.map((el) => (el as HTMLAnchorElement).href || (el as HTMLImageElement).src),
      );
      const origin = new URL(site.url).origin;
      const local = [...new Set(urls.map((u) => u.split("#")[0]))].filter((u) => u.startsWith(origin));
      for (const url of local) {
        expect(new URL(url).pathname.startsWith(site.base), url).toBe(true);
        expect((await page.request.get(url)).status(), url).toBe(200);
      }
      const images = await page.$$eval("img", (list) => list.filter((img) => !img.complete || img.naturalWidth === 0).length);
      expect(images).toBe(0);
    });
    it("shows the original study's numbers, each labelled as reported by the original study", async () => {
      const labelled = await page.$$eval('[data-provenance="original"]', (list) => list.map((el) => el.textContent?.trim()));
      for (const number of spec.originals) expect(labelled, number).toContain(number);
      if (spec.originals.length) await expect(page.getByText(PROVENANCE_LABELS.original).first().isVisible()).resolves.toBe(true);
    });
    it("fits a phone screen and renders in light and dark", async () => {
      const dir = join(SCREENSHOTS, site.name);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${spec.name}-light.png`), fullPage: true });
      const lightBackground = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const dark = await openRecordedPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: "dark" });
      await dark.page.goto(site.url + spec.path, { waitUntil: "networkidle" });
      await dark.page.screenshot({ path: join(dir, `${spec.name}-dark.png`), fullPage: true });
      const darkBackground = await dark.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      await dark.page.close();
      expect(darkBackground).not.toBe(lightBackground);
      const phone = await openRecordedPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      await phone.page.goto(site.url + spec.path, { waitUntil: "networkidle" });
      await phone.page.screenshot({ path: join(dir, `${spec.name}-phone.png`), fullPage: true });
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await phone.page.close();
      expect(overflow).toBeLessThanOrEqual(0);
    });
  });

  describe.each([
    { family: "cnn", path: "cnn-tuning/", rows: 24, reproduced: () => state.cnnReproduced },
    { family: "resnet", path: "resnet-tuning/", rows: 8, reproduced: () => state.resnetReproduced },
  ])("$family tuning table", ({ family, path, rows, reproduced }) => {
    let opened: RecordedPage;
    beforeAll(async () => {
      opened = await openRecordedPage(browser);
      await opened.page.goto(site.url + path, { waitUntil: "networkidle" });
    });
    afterAll(async () => {
      await opened?.page.close();
    });

    it("lists the full grid, the original's ranks first", async () => {
      const ids = await opened.page.$$eval("table.tuning tbody tr", (list) => list.map((tr) => tr.id));
      expect(ids).toHaveLength(rows);
      const ranked = (family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning).map((r) => r.id);
      expect(ids.slice(0, 3)).toEqual(ranked);
    });
    it('says "not yet reproduced (full protocol)" for every row without a full-protocol run', async () => {
      const missing = await opened.page.locator("table.tuning tbody td", { hasText: "not yet reproduced (full protocol)" }).count();
      expect(missing).toBe(rows - reproduced());
    });
    it("shows seed statistics only for rows with two or more full runs, and says plainly when there are too few", async () => {
      const runs = readRuns(site.runsDir).map((r) => r.run);
      const grid = buildTuningRows(family as "cnn" | "resnet", []).map((r) => r.id);
      const expected = grid.filter((id) => summariseRowRuns(id, runs).seeds.length >= MIN_SEED_RUNS);
      const shown = await opened.page.$$eval('[data-testid="seed-summary-table"] tbody tr', (list) => list.map((tr) => tr.getAttribute("data-row-id")));
      expect(shown.sort()).toEqual(expected.sort());
      expect(await opened.page.locator('[data-testid="seed-summary-too-few"]').count()).toBe(expected.length ? 0 : 1);
      // The original's ranks 1-2 and 2-3, each with a sentence, "too few runs" included.
      const checks = opened.page.locator('[data-testid="ranking-check"]');
      expect(await checks.count()).toBe(2);
      expect(await checks.first().textContent()).toMatch(/The original study ranked/);
    });
    it("has a Rerun button per row whose accessible name starts with Rerun", async () => {
      const buttons = opened.page.getByRole("button", { name: /^Rerun (cnn|resnet)-/ });
      expect(await buttons.count()).toBe(rows);
      expect(await buttons.first().getAttribute("data-config")).toMatch(/^(cnn|resnet)-/);
    });
    it("sorts by a column from the keyboard and marks the order with aria-sort", async () => {
      const page = opened.page;
      const header = page.locator("table.tuning thead th").filter({ hasText: "Original study" });
      const button = header.getByRole("button");
      await button.focus();
      await page.keyboard.press("Enter");
      expect(await header.getAttribute("aria-sort")).toBe("descending");
      const top = (family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning)[0].id;
      expect(await page.locator("table.tuning tbody tr").first().getAttribute("id")).toBe(top);
      await page.keyboard.press("Enter");
      expect(await header.getAttribute("aria-sort")).toBe("ascending");
      const ids = await page.$$eval("table.tuning tbody tr", (list) => list.map((tr) => tr.id));
      // Rows the original did not report stay at the bottom in either direction.
      expect(ids.slice(0, 3)).toEqual((family === "cnn" ? ORIGINAL_STUDY.cnnTuning : ORIGINAL_STUDY.resnetTuning).map((r) => r.id).reverse());
    });
  });

  describe("best model page", () => {
    it("shows the reproduced charts and gallery exactly when a run to show exists", async () => {
      const { page } = await openRecordedPage(browser);
      await page.goto(`${site.url}best-model/`, { waitUntil: "networkidle" });
      const gallery = await page.locator("ul.gallery img").count();
      const notice = await page.locator(".notice", { hasText: "not yet reproduced" }).count();
      await page.close();
      expect(gallery).toBe(state.bestModelMistakes);
      expect(notice).toBe(state.bestModelReproduced ? 0 : 1);
    });
  });

  describe("dataset page", () => {
    it("shows sample images of all ten classes and the split totals", async () => {
      const { page } = await openRecordedPage(browser);
      await page.goto(`${site.url}dataset/`, { waitUntil: "networkidle" });
      const classes = await page.locator("ol.classes > li").count();
      const totals = await page.locator("tfoot td.num").allTextContents();
      await page.close();
      expect(classes).toBe(10);
      expect(totals).toEqual(["54,000", "6,000", "10,000"]);
    });
  });
});
