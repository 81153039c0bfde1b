/**
 * The rerun panel's markup (RerunPanel.astro) and its script (src/client/rerun/) are written
 * apart: every part, template and field the script looks up must be in the component.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const component = readFileSync(join(root, "src/components/RerunPanel.astro"), "utf8");
const scripts = ["src/client/rerun-panel.ts", ...readdirSync(join(root, "src/client/rerun")).map((f) => `src/client/rerun/${f}`)]
  .map((f) => readFileSync(join(root, f), "utf8"))
  .join("\n");
const looked = (re: RegExp) => [...new Set([...scripts.matchAll(re)].map((m) => m[1]))].sort();
const present = (attr: string) => new Set([...component.matchAll(new RegExp(`${attr}="([\\w-]+)"`, "g"))].map((m) => m[1]));

describe("rerun panel markup and script", () => {
  it("has every data-part the script looks up", () => {
    const parts = looked(/\bpart(?:<[^>]+>)?\(\w+, "([\w-]+)"\)/g);
    expect(parts.length).toBeGreaterThan(20);
    expect(parts.filter((p) => !present("data-part").has(p))).toEqual([]);
  });
  it("has every template and template field the script looks up", () => {
    const templates = looked(/fromTemplate(?:<[^>]+>)?\(\w+, "([\w-]+)"\)/g);
    expect(templates).toEqual(["backend-reason", "queue-item", "result-row", "retry-backend"]);
    expect(templates.filter((t) => !present("data-template").has(t))).toEqual([]);
    const fields = looked(/\.field(?:<[^>]+>)?\("([\w-]+)"\)/g);
    expect(fields.filter((f) => !present("data-field").has(f))).toEqual([]);
  });
  it("keeps the ids, roles and data attributes the browser tests and the boot script rely on", () => {
    for (const needle of [
      '<template id="rerun-panel-template">',
      'class="rerun-panel"',
      "data-rerun-panel",
      'id="rerun-data"',
      'id="rerun-panel-title"',
      'role="progressbar"',
      'role="alert"',
      'role="status"',
      'data-chart="loss"',
      'data-chart="accuracy"',
      'class="rerun-queue"',
      'class="rerun-backend-info"',
      'class="rerun-status"',
    ])
      expect(component).toContain(needle);
  });
});
