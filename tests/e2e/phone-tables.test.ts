/**
 * The tuning tables on a phone (390 px): every row shows its configuration, the original's number
 * (or "not reported"), our full-protocol number (or "not yet"), and its Rerun button, inside the
 * table's box without scrolling sideways; the other columns fold into a details line under the id,
 * and rows stay short. At 1280 px the table keeps all its columns and no details line. Every state
 * of the run records (published, and the other state) is checked.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openRecordedPage, servedSites } from "./browser.ts";

const SHOTS = join(import.meta.dirname, "screenshots", "phone-tables");

let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** What one row shows, measured in the page. */
interface RowView {
  id: string;
  height: number;
  /** Visible cells' text, in order. */
  visible: string[];
  /** Whether the Rerun button lies fully inside the table's box. */
  rerunInBox: boolean;
  details: string;
}

describe.each(servedSites().filter((s) => s.name === "root" || s.name === "runs-swapped"))("$name site", (site) => {
  it.each(["cnn-tuning/", "resnet-tuning/"])(
    "at 390 px, %s: configuration, both numbers and Rerun in every row, no sideways scroll, short rows",
    async (path) => {
      const { page } = await openRecordedPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      try {
        await page.goto(site.url + path, { waitUntil: "networkidle" });
        const box = await page
          .locator(".tuning-scroll")
          .first()
          .evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
        expect(box.scrollWidth, JSON.stringify(box)).toBeLessThanOrEqual(box.clientWidth);
        const rows: RowView[] = await page.$$eval("table.tuning tbody tr", (trs) =>
          trs.map((tr) => {
            const boxRect = tr.closest(".tuning-scroll")!.getBoundingClientRect();
            const rerun = tr.querySelector("button.rerun")!.getBoundingClientRect();
            const cells = [...tr.children].filter((c) => (c as HTMLElement).offsetWidth > 0) as HTMLElement[];
            return {
              id: tr.id,
              height: Math.round(tr.getBoundingClientRect().height),
              visible: cells.map((c) => c.innerText.replace(/\s+/g, " ").trim()),
              rerunInBox: rerun.left >= boxRect.left && rerun.right <= boxRect.right + 0.5,
              details: (tr.querySelector(".row-details") as HTMLElement | null)?.innerText.trim() ?? "",
            };
          }),
        );
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          // Configuration (with its details line), Rerun, the original's number, ours.
          expect(row.visible, row.id).toHaveLength(4);
          expect(row.visible[0].startsWith(row.id), row.id).toBe(true);
          expect(row.visible[1], row.id).toMatch(/^Rerun\b/);
          expect(row.visible[2], row.id).toMatch(/^(\d+\.\d+%|not reported)$/);
          // Ours: the seed mean with its count ("mean of 3"), or "1 run", or "not yet".
          expect(row.visible[3], row.id).toMatch(/^(\d+\.\d+% (mean of \d+|1 run)|not yet)$/);
          expect(row.rerunInBox, row.id).toBe(true);
          expect(row.details, row.id).toMatch(/^(rank \d+|not ranked)/);
          // Three short lines at most beside the button: no wrapped run-records column.
          expect(row.height, row.id).toBeLessThanOrEqual(100);
        }
        await page
          .locator("table.tuning")
          .first()
          .screenshot({ path: join(SHOTS, `${site.name}-${path.replace("/", "")}-390.png`) });
      } finally {
        await page.close();
      }
    },
  );

  it("at 1280 px the tuning table keeps every column and shows no details line", async () => {
    const { page } = await openRecordedPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(site.url + "resnet-tuning/", { waitUntil: "networkidle" });
      const shown = await page.$$eval("table.tuning tbody tr:first-child > *", (cells) => cells.filter((c) => (c as HTMLElement).offsetWidth > 0).length);
      expect(shown).toBeGreaterThanOrEqual(9);
      expect(await page.locator("table.tuning .row-details").first().isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });
});
