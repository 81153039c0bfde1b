import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measurePage, measureSite, staticImports } from "../../scripts/site-report.ts";

let dir: string;
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
const entry = 'import { a } from "./shared.js";\nconst later = () => import("./heavy.js");\nconsole.log(a, later);';
const shared = "export const a = 1;";
const heavy = "export const tf = 'x'.repeat(100000);";
const inline = "document.body.dataset.ready = 'yes';";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "site-report-test-"));
  mkdirSync(join(dir, "_astro"));
  mkdirSync(join(dir, "page"));
  writeFileSync(join(dir, "_astro", "entry.js"), entry);
  writeFileSync(join(dir, "_astro", "shared.js"), shared);
  writeFileSync(join(dir, "_astro", "heavy.js"), heavy);
  writeFileSync(join(dir, "_astro", "site.css"), "body { color: red }");
  writeFileSync(
    join(dir, "index.html"),
    `<link rel="stylesheet" href="/fm/_astro/site.css"><script type="module" src="/fm/_astro/entry.js"></script><script type="module">${inline}</script><script type="application/json">{"big": true}</script><img src="https://example.com/x.png">`,
  );
  writeFileSync(join(dir, "page", "index.html"), "<p>no scripts</p>");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("site report", () => {
  it("finds static imports but not dynamic ones", () => {
    expect(staticImports(entry)).toEqual(["./shared.js"]);
    expect(staticImports('import"./a.js";export*from"./b.js"')).toEqual(["./a.js", "./b.js"]);
  });
  it("counts script files, their static imports and inline scripts, not data or lazy chunks", () => {
    const report = measurePage(dir, "/fm/", join(dir, "index.html"));
    expect(report.jsBytes).toBe(gz(entry) + gz(shared) + gz(inline));
    expect(report.files.map((f) => f.path)).not.toContain("_astro/heavy.js");
  });
  it("adds HTML and CSS to the total", () => {
    const report = measurePage(dir, "/fm/", join(dir, "index.html"));
    const css = report.files.find((f) => f.path === "_astro/site.css");
    expect(css?.kind).toBe("css");
    expect(report.totalBytes).toBeGreaterThan(report.jsBytes + (css?.bytes ?? 0));
  });
  it("reports every page of a build", () => {
    const pages = measureSite(dir, "/fm/");
    expect(pages.map((p) => p.page)).toEqual(["", "page/"]);
    expect(pages[1].jsBytes).toBe(0);
  });
});
