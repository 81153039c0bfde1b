import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeStaleTemporaries, writeFileAtomic, writeFolderAtomic } from "../../scripts/lib/atomic-write.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that no process has: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(child.stdout.trim());
}

describe("writeFileAtomic", () => {
  it("creates the parent folders, replaces the file, and leaves no temporary file", async () => {
    const path = join(dir, "a", "b", "report.json");
    await writeFileAtomic(path, "old");
    await writeFileAtomic(path, new Uint8Array([110, 101, 119]));
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(join(dir, "a", "b"))).toEqual(["report.json"]);
  });

  it("leaves the destination and no temporary file behind when the rename fails", async () => {
    const path = join(dir, "taken");
    mkdirSync(join(path, "inside"), { recursive: true });
    await expect(writeFileAtomic(path, "x")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readdirSync(path)).toEqual(["inside"]);
  });
});

describe("writeFolderAtomic", () => {
  it("replaces a folder with exactly the given files", async () => {
    const target = join(dir, "models", "cnn");
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, "stale.bin"), "old");
    await writeFolderAtomic(target, { "model.json": "{}", "weights.bin": new Uint8Array([1, 2, 3]) });
    expect(readdirSync(target).sort()).toEqual(["model.json", "weights.bin"]);
    expect([...readFileSync(join(target, "weights.bin"))]).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, "models"))).toEqual(["cnn"]);
  });
});

describe("removeStaleTemporaries", () => {
  it("removes what a dead process left, keeps what a running one is writing, and ignores a missing folder", async () => {
    const dead = deadPid();
    writeFileSync(join(dir, `run.json.${dead}-1.tmp`), "half");
    mkdirSync(join(dir, `cnn.${dead}-2.tmp`));
    writeFileSync(join(dir, `run.json.${process.pid}-7.tmp`), "in progress");
    writeFileSync(join(dir, "run.json"), "{}");
    await removeStaleTemporaries(dir);
    expect(readdirSync(dir).sort()).toEqual(["run.json", `run.json.${process.pid}-7.tmp`]);
    await removeStaleTemporaries(join(dir, "missing"));
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});
