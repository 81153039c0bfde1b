/**
 * ./run's set-up steps, with apt-get, npm and the data check replaced by recorders: `start` and
 * `test` share one data step (Debian's package when the data and the package are missing and no
 * folder is named, then npm run data), and skip it when the prepared data checks out.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A copy of ./run in a temp project whose tools only log their arguments to `log`. */
function sandbox(options: { dataReady: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), "run-test-"));
  dirs.push(dir);
  const log = join(dir, "calls.log");
  copyFileSync(join(ROOT, "run"), join(dir, "run"));
  mkdirSync(join(dir, "scripts"));
  mkdirSync(join(dir, "node_modules"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "package-lock.json"), "{}");
  writeFileSync(join(dir, "node_modules/.package-lock.json"), "{}");
  // Installed packages newer than the lock: no npm ci.
  utimesSync(join(dir, "package-lock.json"), new Date(2000, 0, 1), new Date(2000, 0, 1));
  writeFileSync(join(dir, "scripts/data.ts"), `process.exit(${options.dataReady ? 0 : 1});\n`);
  for (const tool of ["apt-get", "npm", "chromium"]) {
    writeFileSync(join(dir, "bin", tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n`);
    chmodSync(join(dir, "bin", tool), 0o755);
  }
  const run = (args: string[], env: Record<string, string> = {}) => {
    const result = spawnSync("bash", [join(dir, "run"), ...args], {
      encoding: "utf8",
      env: {
        PATH: `${join(dir, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        CHROMIUM_PATH: join(dir, "bin", "chromium"),
        FASHION_MNIST_DEBIAN_DIR: join(dir, "no-debian-files"),
        ...env,
      },
    });
    let calls: string[];
    try {
      calls = readFileSync(log, "utf8").trim().split("\n");
    } catch {
      calls = [];
    }
    return { status: result.status, stderr: result.stderr, calls };
  };
  return { run };
}

describe("./run", () => {
  const isRoot = process.getuid?.() === 0;

  for (const cmd of ["start", "test"])
    it.runIf(isRoot)(`${cmd}: with no prepared data and no Debian files, installs Debian's dataset package, then prepares the data`, () => {
      const { run } = sandbox({ dataReady: false });
      const { status, calls } = run([cmd]);
      expect(status).toBe(0);
      expect(calls).toEqual(["apt-get update -q", "apt-get install -y -q --no-install-recommends dataset-fashion-mnist", "npm run data", `npm ${cmd}`]);
    });

  it("start: a folder the user names is used without apt-get", () => {
    const { run } = sandbox({ dataReady: false });
    const { status, calls } = run(["start"], { FASHION_MNIST_DIR: "/somewhere" });
    expect(status).toBe(0);
    expect(calls).toEqual(["npm run data", "npm start"]);
  });

  it("start and test: prepared data that checks out is left as it is", () => {
    expect(sandbox({ dataReady: true }).run(["start"]).calls).toEqual(["npm start"]);
    expect(sandbox({ dataReady: true }).run(["test"]).calls).toEqual(["npm test"]);
  });

  it("other npm scripts get no data step", () => {
    const { run } = sandbox({ dataReady: false });
    expect(run(["reproduce", "--", "--help"]).calls).toEqual(["npm run reproduce -- --help"]);
  });
});
