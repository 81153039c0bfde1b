/**
 * The Methodology page's ablation rows: every row of src/lib/study/ablations.ts is listed with its
 * own row id and its base row, numbers appear only for rows with full-length runs (labelled as
 * ablation runs, never as reproductions), rows without runs say so and carry the command, and the
 * table scrolls inside its own wrapper on a phone.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRuns } from "../../scripts/lib/read-runs.ts";
import { ABLATIONS, ablationRunsBySeed } from "../../src/lib/study/ablations.ts";
import { fullRunsBySeed } from "../../src/lib/study/seed-summary.ts";
import { launchBrowser, openRecordedPage, servedSites } from "./browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const site = servedSites()[0];
const runs = readRuns(site.runsDir).map((r) => r.run);

async function open(width: number): Promise<Page> {
  const { page } = await openRecordedPage(browser, { viewport: { width, height: 900 }, isMobile: width < 500 });
  const response = await page.goto(`${site.url}methodology/`, { waitUntil: "networkidle" });
  expect(response?.status()).toBe(200);
  return page;
}

describe("Methodology: ablation rows", () => {
  it("lists every ablation with its base row, numbers only where it has full-length runs", async () => {
    const page = await open(1280);
    const rows = await page.$$eval("[data-testid=ablation-table] tbody tr", (list) =>
      list.map((tr) => ({
        id: tr.getAttribute("data-ablation-id"),
        kind: tr.getAttribute("data-ablation-kind"),
        runs: Number(tr.getAttribute("data-runs")),
        text: tr.textContent ?? "",
        command: tr.querySelector("[data-part=not-run]")?.getAttribute("data-command") ?? null,
        ablationCell: tr.querySelector("[data-provenance=ablation]")?.getAttribute("data-protocol") ?? null,
        baseCell: tr.querySelector("[data-provenance=reproduced]")?.getAttribute("data-protocol") ?? null,
      })),
    );
    await page.close();
    expect(rows.map((r) => r.id)).toEqual(ABLATIONS.map((a) => a.id));
    for (const [i, ablation] of ABLATIONS.entries()) {
      const row = rows[i];
      const own = ablationRunsBySeed(runs, ablation).size;
      expect(row.kind).toBe(ablation.kind);
      expect(row.runs, ablation.id).toBe(own);
      expect(row.text).toContain(ablation.baseRowId);
      if (own === 0) {
        expect(row.command).toBe(`npm run reproduce -- ${ablation.id} --seeds 1,2,3`);
        expect(row.ablationCell).toBeNull();
      } else {
        expect(row.command).toBeNull();
        expect(row.ablationCell).toBe(ablation.protocol.name);
      }
      // The base row's cell is a reproduction only when it has full-protocol runs, and then says so.
      expect(row.baseCell).toBe(fullRunsBySeed(runs, ablation.baseRowId).size > 0 ? "full" : null);
    }
  });

  it("keeps the page as wide as a phone, the table scrolling in its wrapper", async () => {
    const page = await open(390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const wrapper = await page.$eval("[data-testid=ablation-table]", (t) => {
      const w = t.parentElement!;
      return { scrolls: getComputedStyle(w).overflowX, tableWider: t.scrollWidth > w.clientWidth };
    });
    await page.close();
    expect(overflow).toBe(0);
    expect(wrapper.scrolls).toBe("auto");
    expect(wrapper.tableWider).toBe(true);
  });
});
