/**
 * No import cycles under src/ or scripts/: a walk over every module's static `import` and
 * `export … from` specifiers (type-only ones included: a type import that closes a cycle means a
 * declaration lives in the wrong module). Dynamic `import()` is lazy and not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const EXTENSIONS = [".ts", ".mts", ".mjs", ".js"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(path);
    return EXTENSIONS.some((x) => e.name.endsWith(x)) && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The files a module imports statically (relative specifiers only; packages cannot close a cycle here). */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier ? statement.moduleSpecifier : undefined;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) out.push(resolve(dirname(file), specifier.text));
  }
  return out;
}

/** Every cycle's modules (root-relative), found by depth-first search; each cycle listed once. */
export function findCycles(files: string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((to) => files.includes(to))]));
  const cycles = new Map<string, string[]>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const to of graph.get(file) ?? []) {
      if (state.get(to) === "open") {
        const cycle = stack.slice(stack.indexOf(to)).map((f) => relative(ROOT, f));
        cycles.set([...cycle].sort().join(" "), cycle);
      } else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

describe("imports", () => {
  it("form no cycle under src/ and scripts/", () => {
    const files = [...sourceFiles(join(ROOT, "src")), ...sourceFiles(join(ROOT, "scripts"))];
    expect(files.length).toBeGreaterThan(50);
    expect(findCycles(files).map((c) => [...c, c[0]].join(" -> "))).toEqual([]);
  });
});
