/**
 * Every command-line script answers --help with its usage text and exit status 0, without doing
 * its job. Scripts are found by listing scripts/ so that a new one is covered too; of the bench
 * modules under scripts/bench/ (loaded by scripts/bench.ts) gradcam.ts, kernels.ts and
 * profile-step.ts also run on their own.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SCRIPTS = readdirSync(join(ROOT, "scripts"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => `scripts/${f}`)
  .concat(["scripts/bench/gradcam.ts", "scripts/bench/kernels.ts", "scripts/bench/profile-step.ts"]);

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, SITE_RUNS_DIR: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

// Started together: each spends most of its time loading modules.
const answers = new Map(SCRIPTS.map((script) => [script, run(script, ["--help"])]));

describe("--help", () => {
  it("covers every script", () => {
    expect(SCRIPTS).toEqual(expect.arrayContaining(["scripts/serve.ts", "scripts/reproduce.ts", "scripts/data.ts", "scripts/e2e.ts"]));
  });

  it.each(SCRIPTS)("%s prints its usage and exits 0", async (script) => {
    const { code, stdout, stderr } = await answers.get(script)!;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: /);
    expect(stdout).toMatch(/--help, -h/);
  });
});
