/**
 * What the page's own scripts pull in. The rerun panel's script is evaluated on the reader's
 * click, in the same task as the click's layout: zod alone took 40-45 ms to evaluate there (its
 * schemas are built at module load), enough for a long task on a busy machine. Records are checked
 * by schema in the workers and the build, so the page's scripts must not reach zod.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** Specifiers of a module's value imports and re-exports (`import type` / `export type` left out). */
function valueImports(code: string): string[] {
  const out: string[] = [];
  const declaration = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/gms;
  for (const m of code.matchAll(declaration)) if (!m[2]) out.push(m[4]!);
  for (const m of code.matchAll(/^import\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Every module reachable from `entry` through value imports: local files by path, packages by name. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("main-thread scripts", () => {
  it("finds value imports and skips type-only ones", () => {
    const code = `import type { A } from "./a.ts";\nimport { type B, C } from "./c.ts";\nexport { D } from "./d.ts";\nexport type { E } from "./e.ts";\nimport "./side.ts";\nconst f = () => import("./lazy.ts");`;
    expect(valueImports(code)).toEqual(["./c.ts", "./d.ts", "./side.ts", "./lazy.ts"]);
  });

  it.each(["client/rerun-boot.ts", "client/rerun-panel.ts", "client/your-reruns.ts", "client/gradcam-page.ts"])("%s does not reach zod", (entry) => {
    const { files, packages } = reachable(join(SRC, entry));
    expect(files.size).toBeGreaterThan(1);
    expect([...packages]).not.toContain("zod");
  });
});
