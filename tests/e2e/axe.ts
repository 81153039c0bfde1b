/**
 * axe-core (npm `axe-core`, the engine of browsers' accessibility audits) in a test page: injects
 * it once and returns its violations, each with the first few elements it found.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** One axe rule that failed. */
export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  /** CSS selectors of up to five elements that fail it. */
  nodes: string[];
}

/** axe-core's violations (all rules it runs by default, any impact) on the page as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run: (context: Document, options: object) => Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

/** One line per violation, for an assertion message: "WHERE: rule (impact): help at elements". */
export function describeViolations(where: string, list: readonly Violation[]): string[] {
  return list.map((v) => `${where}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(", ")}`);
}
