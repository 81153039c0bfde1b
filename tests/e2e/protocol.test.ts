/**
 * Like with like: on every state of the run records the e2e setup builds (the published runs, and
 * the other state: no runs, or the fixture runs), no number from a quick, smoke or custom run is
 * set beside the original study's. Checked on the Overview's headline table, the tuning tables and
 * their charts' legends and marks, and the Best model page; every "reproduced" number names the
 * full protocol. Screenshots of the Overview, tuning and Best model pages at 1280 and 390 px go to
 * tests/e2e/screenshots/<site>/protocol-*.png (git-ignored) for a person to look at.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { isFullProtocolRun, selectBestRuns, selectDetailRun, type LoadedRun } from "../../src/lib/study/runs.ts";
import { NOT_REPRODUCED_FULL, protocolRunLabel, PROVENANCE_SHORT, RUNS_PATH } from "../../src/lib/site.ts";
import { formatPercent } from "../../src/lib/format.ts";
import { ORIGINAL_STUDY } from "../../src/lib/study/study.ts";
import { checkLevel } from "../../src/lib/study/study-answer.ts";
import { fullSeedValue, seedValueNote } from "../../src/lib/study/seed-summary.ts";
import { isAblationRowId } from "../../src/lib/study/row-id.ts";
import { buildTuningRows, HYPERPARAMETERS, type TuningRow } from "../../src/lib/study/tuning-rows.ts";
import { launchBrowser, openRecordedPage, servedSites, type E2ESite } from "./browser.ts";

const SCREENSHOTS = join(import.meta.dirname, "screenshots");
const best = ORIGINAL_STUDY.bestModel;

/** What the run records of one build say each page must show. */
interface RunState {
  site: E2ESite;
  runs: LoadedRun[];
  cnnRows: TuningRow[];
  resnetRows: TuningRow[];
}

// The sub-path build reads the same runs as the root one; one build per state of the records.
const states: RunState[] = servedSites()
  .filter((site, i, all) => all.findIndex((s) => s.runsDir === site.runsDir) === i)
  .map((site) => {
    const runs = readRuns(site.runsDir);
    return { site, runs, cnnRows: buildTuningRows("cnn", runs), resnetRows: buildTuningRows("resnet", runs) };
  });

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function open(url: string, width = 1280): Promise<Page> {
  const { page } = await openRecordedPage(browser, { viewport: { width, height: 900 }, isMobile: width < 500 });
  const response = await page.goto(url, { waitUntil: "networkidle" });
  expect(response?.status()).toBe(200);
  return page;
}

/** Every element labelled as a number of some provenance: its provenance, protocol and text. */
async function labelledNumbers(page: Page, scope = "body") {
  return page.$$eval(`${scope} [data-provenance]`, (list) =>
    list.map((el) => ({
      provenance: el.getAttribute("data-provenance"),
      protocol: el.getAttribute("data-protocol"),
      text: el.textContent?.trim() ?? "",
    })),
  );
}

const PERCENT = /\d+\.\d{2}%/;

describe.each(states)("$site.name build ($site.runsDir)", (state) => {
  const { site } = state;
  const allRows = [...state.cnnRows, ...state.resnetRows];
  const fullRows = allRows.filter((r) => r.reproduced);
  const rowOf = (id: string) => allRows.find((r) => r.id === id)!;

  it("labels every reproduced number on every report page as full protocol, and every other run's number as preliminary", async () => {
    for (const path of ["", "cnn-tuning/", "resnet-tuning/", "best-model/", "methodology/"]) {
      const page = await open(site.url + path);
      const numbers = await labelledNumbers(page);
      await page.close();
      for (const n of numbers.filter((x) => x.provenance === "reproduced")) expect(n.protocol, `${path}: ${n.text}`).toBe("full");
      for (const n of numbers.filter((x) => x.provenance === "preliminary")) expect(["quick", "smoke", "custom"], `${path}: ${n.text}`).toContain(n.protocol);
    }
  });

  describe("Overview", () => {
    let page: Page;
    beforeAll(async () => {
      page = await open(site.url);
    });
    afterAll(async () => {
      await page?.close();
    });

    it("counts configurations at the full protocol", async () => {
      expect((await page.locator('[data-count="full"]').textContent())?.trim()).toBe(`${fullRows.length} of ${allRows.length} at the full protocol`);
    });
    it("sets only a full-protocol number beside each headline number of the original, else says so and links the preliminary run", async () => {
      const rows = await page.$$eval("table.headline tbody tr", (trs) =>
        trs.map((tr) => {
          const cells = [...tr.querySelectorAll("td")];
          const ours = cells[1];
          return {
            label: tr.querySelector("th")?.textContent?.trim() ?? "",
            original: cells[0].getAttribute("data-provenance"),
            provenance: ours.getAttribute("data-provenance"),
            protocol: ours.getAttribute("data-protocol"),
            status: ours.getAttribute("data-status"),
            seeds: ours.getAttribute("data-seeds"),
            text: ours.textContent?.trim().replace(/\s+/g, " ") ?? "",
            links: [...ours.querySelectorAll("a")].map((a) => a.getAttribute("href")),
          };
        }),
      );
      const expected = [
        { id: ORIGINAL_STUDY.cnnTuning[0].id, value: (r: LoadedRun["run"]) => r.metrics.validation.accuracy },
        { id: ORIGINAL_STUDY.resnetTuning[0].id, value: (r: LoadedRun["run"]) => r.metrics.validation.accuracy },
        { id: best.id, value: (r: LoadedRun["run"]) => r.metrics.test.accuracy },
        { id: best.id, value: (r: LoadedRun["run"]) => r.metrics.test.f1 },
      ];
      expect(rows).toHaveLength(expected.length);
      rows.forEach((row, i) => {
        const { reproduced, preliminary } = rowOf(expected[i].id);
        expect(row.label).toContain(expected[i].id);
        expect(row.original).toBe("original");
        if (reproduced) {
          expect(isFullProtocolRun(reproduced.run)).toBe(true);
          // The seed mean over every full-protocol seed with n, or the one run marked "1 run".
          const v = fullSeedValue(
            state.runs.map((r) => r.run),
            expected[i].id,
            expected[i].value,
          )!;
          expect(row).toMatchObject({ provenance: "reproduced", protocol: "full", seeds: String(v.n), text: `${formatPercent(v.value)} ${seedValueNote(v)}` });
        } else {
          expect(row).toMatchObject({ provenance: null, status: "not-reproduced" });
          expect(row.text.startsWith(NOT_REPRODUCED_FULL), row.text).toBe(true);
          expect(row.text).not.toMatch(PERCENT);
          expect(row.links).toEqual(preliminary ? [`${site.base}${RUNS_PATH}${preliminary.file}`] : []);
        }
      });
    });
    it("says where each published run is shown: its table row, the seed summary, or the ablations", async () => {
      const rows = await page.$$eval("table.runs-list tbody tr", (trs) =>
        trs.map((tr) => ({
          record: tr.querySelector("th a")?.getAttribute("href") ?? "",
          row: tr.querySelectorAll("td")[0]?.querySelector("a")?.getAttribute("href") ?? "",
          shown: tr.querySelector("td.shown")?.textContent?.trim() ?? "",
          shownLink: tr.querySelector("td.shown a")?.getAttribute("href") ?? null,
        })),
      );
      expect(rows).toHaveLength(state.runs.length);
      for (const row of rows) {
        const loaded = state.runs.find((r) => row.record.endsWith(`/${r.file}`))!;
        expect(loaded, row.record).toBeDefined();
        const { run } = loaded;
        if (isAblationRowId(run.rowId)) {
          expect(row).toMatchObject({ row: `${site.base}methodology/#ablations`, shownLink: `${site.base}methodology/#ablations` });
        } else if (row.shown !== "yes" && isFullProtocolRun(run) && run.protocol.seed !== 1) {
          expect(row.shownLink, run.runId).toMatch(/-tuning\/#seed-summary$/);
        } else {
          expect(row.row).toBe(`${site.base}${run.rowId.startsWith("cnn-") ? "cnn" : "resnet"}-tuning/#${run.rowId}`);
        }
      }
    });
    it("answers 'does it hold?' for each ranked configuration from its full-protocol seeds only, and says so where there are none", async () => {
      const rows = await page.$$eval('[data-testid="study-answer"] tbody tr', (trs) =>
        trs.map((tr) => {
          const ours = tr.querySelectorAll("td")[1];
          const value = ours.querySelector("[data-provenance]");
          return {
            id: tr.getAttribute("data-row-id"),
            verdict: tr.getAttribute("data-verdict"),
            original: tr.querySelector("td")?.getAttribute("data-provenance"),
            status: ours.getAttribute("data-status"),
            provenance: value?.getAttribute("data-provenance") ?? null,
            protocol: value?.getAttribute("data-protocol") ?? null,
            value: value?.textContent?.trim() ?? null,
            text: ours.textContent?.trim() ?? "",
          };
        }),
      );
      const ranked = [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning];
      expect(rows.map((r) => r.id)).toEqual(ranked.map((r) => r.id));
      const records = state.runs.map((r) => r.run);
      rows.forEach((row, i) => {
        const check = checkLevel({ rowId: ranked[i].id, rank: ranked[i].rank, valAccuracy: ranked[i].valAccuracy }, records);
        expect(row.verdict, row.id!).toBe(check.verdict);
        expect(row.original).toBe("original");
        if (check.ours) expect(row).toMatchObject({ provenance: "reproduced", protocol: "full", value: formatPercent(check.ours.mean) });
        else {
          expect(row).toMatchObject({ provenance: null, status: "not-reproduced", text: NOT_REPRODUCED_FULL });
        }
      });
      // Only full-protocol runs count: a row whose only runs are preliminary has no verdict.
      for (const row of rows.filter((r) => !rowOf(r.id!).reproduced)) expect(row.verdict).toBe("not-reproduced");
    });
  });

  describe.each([
    { family: "cnn" as const, path: "cnn-tuning/" },
    { family: "resnet" as const, path: "resnet-tuning/" },
  ])("$family tuning page", ({ family, path }) => {
    const rows = family === "cnn" ? state.cnnRows : state.resnetRows;
    let page: Page;
    beforeAll(async () => {
      page = await open(site.url + path);
    });
    afterAll(async () => {
      await page?.close();
    });

    it("counts configurations at the full protocol", async () => {
      const full = rows.filter((r) => r.reproduced).length;
      expect((await page.locator('[data-count="full"]').textContent())?.trim()).toBe(`${full} of ${rows.length} at the full protocol`);
    });
    it("sets only full-protocol numbers in the reproduced columns, and preliminary runs in their own column", async () => {
      const cells = await page.$$eval("table.tuning tbody tr", (trs) =>
        trs.map((tr) => {
          const tds = [...tr.querySelectorAll("td")];
          const original = tds.findIndex((td) => td.getAttribute("data-provenance") === "original" || td.textContent?.trim() === "not reported");
          const at = (k: number) => ({
            provenance: tds[k]?.getAttribute("data-provenance"),
            protocol: tds[k]?.getAttribute("data-protocol"),
            seeds: tds[k]?.getAttribute("data-seeds"),
            text: tds[k]?.textContent?.trim().replace(/\s+/g, " ") ?? "",
          });
          return { id: tr.id, validation: at(original + 1), test: at(original + 2), preliminary: at(original + 3) };
        }),
      );
      expect(cells).toHaveLength(rows.length);
      for (const c of cells) {
        const row = rows.find((r) => r.id === c.id)!;
        if (row.reproduced) {
          // The seed mean with n where the row has several full-protocol seeds, else "1 run".
          const { validation, test } = row.seeds!;
          const note = (n: number) => (n === 1 ? "1 run" : `mean of ${n}`);
          expect(c.validation).toEqual({
            provenance: "reproduced",
            protocol: "full",
            seeds: String(validation.n),
            text: `${formatPercent(validation.value)} ${note(validation.n)}`,
          });
          expect(c.test).toEqual({ provenance: "reproduced", protocol: "full", seeds: String(test.n), text: `${formatPercent(test.value)} ${note(test.n)}` });
        } else {
          expect(c.validation.provenance).toBeNull();
          expect(c.validation.text.startsWith(NOT_REPRODUCED_FULL), c.validation.text).toBe(true);
          expect(c.validation.text).not.toMatch(PERCENT);
          expect(c.test.text).not.toMatch(PERCENT);
        }
        if (row.preliminary) {
          const r = row.preliminary.run;
          expect(c.preliminary).toMatchObject({ provenance: "preliminary", protocol: r.protocol.name });
          expect(c.preliminary.text.startsWith(formatPercent(r.metrics.validation.accuracy))).toBe(true);
        } else expect(c.preliminary.text).toBe("—");
      }
    });
    it("gives the charts a legend entry per protocol, and never calls a preliminary run reproduced", async () => {
      const charts = await page.$$eval("figure.chart-box", (figures) =>
        figures.map((f) => ({
          legend: [...f.querySelectorAll(".chart-swatch")].map((s) => s.textContent?.trim() ?? ""),
          titles: [...f.querySelectorAll("svg.chart title")].map((t) => t.textContent ?? ""),
        })),
      );
      expect(charts).toHaveLength(HYPERPARAMETERS[family].length);
      const full = rows.filter((r) => r.reproduced);
      const preliminaryRows = rows.filter((r) => r.preliminary);
      const expectedLegend = [
        ...(rows.some((r) => r.original) ? [PROVENANCE_SHORT.original] : []),
        ...(full.length ? [PROVENANCE_SHORT.reproduced] : []),
        ...new Set(preliminaryRows.map((r) => protocolRunLabel(r.preliminary!.run.protocol))),
      ];
      for (const chart of charts) {
        expect(chart.legend).toEqual(expectedLegend);
        expect(chart.legend).not.toContain("Reproduced");
        const reproducedIds = chart.titles.filter((t) => t.endsWith(`(${PROVENANCE_SHORT.reproduced})`)).map((t) => t.split(":")[0]);
        expect(reproducedIds.sort()).toEqual(full.map((r) => r.id).sort());
        for (const row of preliminaryRows) {
          const r = row.preliminary!.run;
          expect(chart.titles).toContain(`${row.id}: ${(r.metrics.validation.accuracy * 100).toFixed(2)}% (${protocolRunLabel(r.protocol)})`);
        }
      }
    });
  });

  describe("Best model page", () => {
    const bestRow = rowOf(best.id);
    const detail = selectDetailRun(selectBestRuns(state.runs), best.id);
    let page: Page;
    beforeAll(async () => {
      page = await open(site.url + "best-model/");
    });
    afterAll(async () => {
      await page?.close();
    });

    it("sets only a full-protocol run of the original's best model beside the original's table, with pp differences only then", async () => {
      const ours = await labelledNumbers(page, "table.best-metrics");
      const reproduced = ours.filter((n) => n.provenance === "reproduced");
      const differences = await page.locator("table.best-metrics .difference").count();
      if (bestRow.reproduced) {
        expect(reproduced.length).toBeGreaterThan(0);
        expect(reproduced.every((n) => n.protocol === "full")).toBe(true);
        expect(differences).toBe(reproduced.length);
      } else {
        expect(ours.filter((n) => n.provenance !== "original")).toEqual([]);
        expect(differences).toBe(0);
        expect(await page.locator("table.best-metrics").textContent()).not.toMatch(/\bpp\b/);
      }
    });
    it("names the model and the protocol of its figures in their headings and captions", async () => {
      const headings = await page.locator("h2").allTextContents();
      const captions = await page.locator("figure.chart-box > figcaption").allTextContents();
      if (!detail) {
        expect(captions).toEqual([]);
        return;
      }
      const protocol = isFullProtocolRun(detail.run) ? "full protocol" : `${detail.run.protocol.name} run`;
      for (const title of ["Confusion matrix", "Per-class precision, recall and F1", "Learning curves"]) {
        const heading = headings.find((h) => h.startsWith(title));
        expect(heading, title).toContain(detail.run.rowId);
        expect(heading, title).toContain(protocol);
      }
      expect(captions).toHaveLength(4);
      for (const caption of captions) {
        expect(caption).toContain(detail.run.rowId);
        expect(caption).toContain(protocol);
      }
      expect(await page.locator("main").textContent()).not.toContain("the reproduced model");
    });
  });

  describe.each([1280, 390])("at %i px", (width) => {
    it.each([
      ["", "overview"],
      ["cnn-tuning/", "cnn-tuning"],
      ["resnet-tuning/", "resnet-tuning"],
      ["best-model/", "best-model"],
    ])("renders /%s without sideways scrolling (screenshot protocol-%s)", async (path, name) => {
      const dir = join(SCREENSHOTS, site.name);
      mkdirSync(dir, { recursive: true });
      const page = await open(site.url + path, width);
      await page.screenshot({ path: join(dir, `protocol-${name}-${width}.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.close();
      expect(overflow).toBeLessThanOrEqual(0);
    });
  });
});
