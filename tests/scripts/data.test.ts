import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkPreparedData, DEFAULT_OUT, parseDataArgs, prepareFashionMnist, PrepareError, runDataCommand, type PrepareOptions } from "../../scripts/data.ts";
import { readPreparedDataset } from "../../scripts/lib/read-prepared.ts";
import { FASHION_MNIST_DEBIAN_DIR, FASHION_MNIST_FILES, SERVED_BYTES_BUDGET } from "../../src/lib/data/files.ts";
import { expectedFor, makeFakeFiles, sha256, type FakeFiles } from "../helpers/fake-fashion-mnist.ts";

let work: string;
let out: string;
let empty: string;
let lines: string[];

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), "data-script-"));
  out = path.join(work, "out");
  empty = path.join(work, "empty");
  await mkdir(empty);
  lines = [];
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const offline = (async () => {
  throw new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
}) as unknown as typeof fetch;

/** Writes the four fake files into a new folder, gzipped (`.gz` names) or as they are. */
async function writeSource(files: FakeFiles, name: string, gzipped = true): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  for (const spec of FASHION_MNIST_FILES) {
    const raw = files[spec.key].raw;
    if (gzipped) await writeFile(path.join(dir, `${spec.sourceName}.gz`), gzipSync(raw, { level: 1 }));
    else await writeFile(path.join(dir, spec.sourceName), raw);
  }
  return dir;
}

/** Options that see only `from` (no Debian folder, no network) and expect `files`. */
function options(files: FakeFiles, extra: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    out,
    log: (line) => lines.push(line),
    ...extra,
    internal: { files: expectedFor(files), debianDir: empty, fetch: offline, ...extra.internal },
  };
}

/** Every file in `dir` with its SHA-256. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) result[name] = sha256(await readFile(path.join(dir, name)));
  return result;
}

describe("prepareFashionMnist", () => {
  it("fails listing every source tried, with the apt-get and --from hints, when none has the files", async () => {
    const files = makeFakeFiles();
    const missing = path.join(work, "nowhere");
    const run = prepareFashionMnist(options(files, { from: missing }));
    await expect(run).rejects.toThrow(PrepareError);
    const message = await run.catch((error: Error) => error.message);
    expect(message).toContain(`folder (--from / FASHION_MNIST_DIR) ${missing}: missing train-images-idx3-ubyte[.gz]`);
    expect(message).toContain(`Debian package folder ${empty}: missing`);
    expect(message).toMatch(/download: http:\/\/fashion-mnist\.s3-website[^\n]*train-images-idx3-ubyte\.gz: fetch failed \(ENOTFOUND\)/);
    expect(message).toContain("apt-get install dataset-fashion-mnist");
    expect(message).toContain("--from DIR");
    expect(existsSync(out)).toBe(false);
  });

  it("reports an HTTP error of the download", async () => {
    const files = makeFakeFiles();
    const notFound = (async () => new Response("no", { status: 404, statusText: "Not Found" })) as unknown as typeof fetch;
    await expect(prepareFashionMnist(options(files, { internal: { fetch: notFound } }))).rejects.toThrow(/download: [^\n]*: HTTP 404 Not Found/);
  });

  it("writes the four served files and a manifest from a folder of .gz files", async () => {
    const files = makeFakeFiles(5, 3);
    const from = await writeSource(files, "src");
    const result = await prepareFashionMnist(options(files, { from }));
    expect(result.status).toBe("prepared");
    expect((await readdir(out)).sort()).toEqual(["manifest.json", "test-images.idx.gz", "test-labels.idx.gz", "train-images.idx.gz", "train-labels.idx.gz"]);
    const manifest = JSON.parse(await readFile(path.join(out, "manifest.json"), "utf8"));
    expect(manifest).toEqual(result.manifest);
    expect(manifest.source).toEqual({ kind: "folder", location: from });
    expect(manifest.totals.images).toBe(8);
    const served = await readFile(path.join(out, "test-labels.idx.gz"));
    expect(manifest.files.testLabels).toMatchObject({
      path: "test-labels.idx.gz",
      count: 3,
      rawBytes: 11,
      rawSha256: files.testLabels.rawSha256,
      servedBytes: served.length,
      servedSha256: sha256(served),
    });
  });

  it("serves files that load back to the source's pixels and labels", async () => {
    const files = makeFakeFiles(5, 3);
    await prepareFashionMnist(options(files, { from: await writeSource(files, "src") }));
    const data = await readPreparedDataset(out);
    expect(data.train.images).toEqual(files.trainImages.values);
    expect(data.train.labels).toEqual(files.trainLabels.values);
    expect(data.test.images).toEqual(files.testImages.values);
    expect(data.test.labels).toEqual(files.testLabels.values);
  });

  it("accepts a folder of decompressed files", async () => {
    const files = makeFakeFiles();
    const result = await prepareFashionMnist(options(files, { from: await writeSource(files, "raw", false) }));
    expect(result.manifest.files.trainImages.rawSha256).toBe(files.trainImages.rawSha256);
  });

  it("falls back to the Debian folder when the named folder lacks the files", async () => {
    const files = makeFakeFiles();
    const debian = await writeSource(files, "debian");
    const result = await prepareFashionMnist(options(files, { from: empty, internal: { debianDir: debian } }));
    expect(result.manifest.source).toEqual({ kind: "debian", location: debian });
    expect(lines.some((line) => line.includes(`not found: folder (--from / FASHION_MNIST_DIR) ${empty}`))).toBe(true);
  });

  it("downloads the .gz files when no folder has them", async () => {
    const files = makeFakeFiles();
    const urls: string[] = [];
    const server = (async (url: string) => {
      urls.push(url);
      const spec = FASHION_MNIST_FILES.find((s) => url.endsWith(`/${s.sourceName}.gz`))!;
      return new Response(gzipSync(files[spec.key].raw));
    }) as unknown as typeof fetch;
    const result = await prepareFashionMnist(options(files, { internal: { fetch: server, downloadUrl: "http://mirror.test" } }));
    expect(result.manifest.source).toEqual({ kind: "download", location: "http://mirror.test" });
    expect(urls).toEqual(FASHION_MNIST_FILES.map((s) => `http://mirror.test/${s.sourceName}.gz`));
  });

  it("names the file, expected and actual hash and how to repair on a checksum mismatch, and writes nothing", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    const tampered = new Uint8Array(files.testImages.raw);
    tampered[200] ^= 0xff;
    await writeFile(path.join(from, "t10k-images-idx3-ubyte.gz"), gzipSync(tampered));
    const run = prepareFashionMnist(options(files, { from }));
    await expect(run).rejects.toThrow(PrepareError);
    const message = await run.catch((error: Error) => error.message);
    expect(message).toContain(`t10k-images-idx3-ubyte (${path.join(from, "t10k-images-idx3-ubyte.gz")}): SHA-256 mismatch`);
    expect(message).toContain(`expected ${files.testImages.rawSha256}`);
    expect(message).toContain(`actual   ${sha256(tampered)}`);
    expect(message).toContain("apt-get install --reinstall dataset-fashion-mnist");
    expect(message).toContain("--from DIR");
    expect(existsSync(out)).toBe(false);
  });

  it("leaves the previous good files untouched when a forced rebuild meets a corrupt source", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    await prepareFashionMnist(options(files, { from }));
    const before = await snapshot(out);
    await writeFile(path.join(from, "train-labels-idx1-ubyte.gz"), gzipSync(new Uint8Array(13)));
    await expect(prepareFashionMnist(options(files, { from, force: true }))).rejects.toThrow(/train-labels-idx1-ubyte .*SHA-256 mismatch/);
    expect(await snapshot(out)).toEqual(before);
    expect((await checkPreparedData(out, expectedFor(files))).ok).toBe(true);
  });

  it("does not fall back to another source when the named folder's file is corrupt", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    const debian = await writeSource(files, "debian");
    await writeFile(path.join(from, "train-labels-idx1-ubyte.gz"), gzipSync(new Uint8Array(13)));
    await expect(prepareFashionMnist(options(files, { from, internal: { debianDir: debian } }))).rejects.toThrow(/SHA-256 mismatch/);
  });

  it("rejects a file of the wrong length before hashing it", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src", false);
    await writeFile(path.join(from, "t10k-labels-idx1-ubyte"), files.testLabels.raw.subarray(0, 9));
    await expect(prepareFashionMnist(options(files, { from }))).rejects.toThrow(
      /t10k-labels-idx1-ubyte \(.*\): expected 11 bytes after decompression, found 9/,
    );
  });

  it("answers 'up to date' on a second run without rewriting anything", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    await prepareFashionMnist(options(files, { from }));
    const mtime = (await stat(path.join(out, "manifest.json"))).mtimeMs;
    lines = [];
    const second = await prepareFashionMnist(options(files, { from }));
    expect(second.status).toBe("up-to-date");
    expect(lines.join("\n")).toContain("up to date");
    expect((await stat(path.join(out, "manifest.json"))).mtimeMs).toBe(mtime);
  });

  it("rebuilds when a served file no longer matches the manifest", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    await prepareFashionMnist(options(files, { from }));
    const good = await snapshot(out);
    await writeFile(path.join(out, "train-images.idx.gz"), "garbage");
    const result = await prepareFashionMnist(options(files, { from }));
    expect(result.status).toBe("prepared");
    expect(lines.some((line) => line.includes("train-images.idx.gz: expected"))).toBe(true);
    const rebuilt = await snapshot(out);
    delete good["manifest.json"];
    delete rebuilt["manifest.json"];
    expect(rebuilt).toEqual(good);
  });

  it("rebuilds when the manifest describes other data than expected", async () => {
    const files = makeFakeFiles(5, 3, 1);
    const other = makeFakeFiles(5, 3, 2);
    await prepareFashionMnist(options(files, { from: await writeSource(files, "a") }));
    const result = await prepareFashionMnist(options(other, { from: await writeSource(other, "b") }));
    expect(result.status).toBe("prepared");
    expect(result.manifest.files.trainImages.rawSha256).toBe(other.trainImages.rawSha256);
  });

  it("writes byte-identical served files on a forced rebuild", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    const first = await prepareFashionMnist(options(files, { from, internal: { now: () => new Date(0) } }));
    const second = await prepareFashionMnist(options(files, { from, force: true, internal: { now: () => new Date(0) } }));
    expect(second.status).toBe("prepared");
    expect(second.manifest).toEqual(first.manifest);
  });

  it("leaves no temporary files, and removes those of a run that was killed", async () => {
    const files = makeFakeFiles();
    const from = await writeSource(files, "src");
    await mkdir(out);
    // pid_max is at most 2^22, so this pid cannot be running.
    await writeFile(path.join(out, "train-images.idx.gz.99999999-1.tmp"), "half");
    await prepareFashionMnist(options(files, { from }));
    await prepareFashionMnist(options(files, { from, force: true }));
    await writeFile(path.join(from, "train-labels-idx1-ubyte.gz"), gzipSync(new Uint8Array(13)));
    await expect(prepareFashionMnist(options(files, { from, force: true }))).rejects.toThrow();
    expect((await readdir(out)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("checkPreparedData", () => {
  it("passes for prepared data and fails, saying why, when the folder is empty", async () => {
    const files = makeFakeFiles();
    await prepareFashionMnist(options(files, { from: await writeSource(files, "src") }));
    expect((await checkPreparedData(out, expectedFor(files))).ok).toBe(true);
    expect(await checkPreparedData(empty, expectedFor(files))).toEqual({
      ok: false,
      problem: `${path.join(empty, "manifest.json")} does not exist`,
    });
  });

  it("fails when a served file is missing", async () => {
    const files = makeFakeFiles();
    await prepareFashionMnist(options(files, { from: await writeSource(files, "src") }));
    await rm(path.join(out, "test-labels.idx.gz"));
    expect(await checkPreparedData(out, expectedFor(files))).toEqual({
      ok: false,
      problem: `${path.join(out, "test-labels.idx.gz")} is missing`,
    });
  });

  it("fails on a manifest that is not valid JSON", async () => {
    await writeFile(path.join(empty, "manifest.json"), "{");
    const result = await checkPreparedData(empty);
    expect(result.ok).toBe(false);
  });
});

describe("command line", () => {
  it("parses --from, --out, --force and --check, in both spellings", () => {
    expect(parseDataArgs(["--from", "/a", "--out=/b", "--force"])).toEqual({
      from: "/a",
      out: "/b",
      force: true,
      check: false,
      help: false,
    });
    expect(parseDataArgs(["--check"])).toMatchObject({ check: true, out: DEFAULT_OUT, from: undefined });
  });

  it("takes the folder from FASHION_MNIST_DIR unless --from is given", () => {
    expect(parseDataArgs([], { FASHION_MNIST_DIR: "/env" }).from).toBe("/env");
    expect(parseDataArgs(["--from", "/flag"], { FASHION_MNIST_DIR: "/env" }).from).toBe("/flag");
  });

  it("defaults --out to public/data/fashion-mnist of the checkout", () => {
    expect(DEFAULT_OUT).toBe(path.resolve(import.meta.dirname, "../../public/data/fashion-mnist"));
  });

  it("rejects unknown flags and flags missing their folder", () => {
    expect(() => parseDataArgs(["--frm", "/a"])).toThrow(/Unknown option '--frm'[^]*Usage: node scripts\/data\.ts/);
    expect(() => parseDataArgs(["--out"])).toThrow(/Option '--out <value>' argument missing/);
    expect(() => parseDataArgs(["--out="])).toThrow(/--out needs a folder/);
  });

  it("--check exits 1 without prepared data", async () => {
    expect(await runDataCommand(["--check", "--out", empty], {})).toBe(1);
  });
});

describe.skipIf(!existsSync(FASHION_MNIST_DEBIAN_DIR))("the real Fashion-MNIST from the Debian package", () => {
  it("prepares 70,000 images within the served-size budget, then is up to date", async () => {
    const real = { out, log: (line: string) => lines.push(line), internal: { fetch: offline } };
    const result = await prepareFashionMnist(real);
    const { manifest } = result;
    expect(manifest.source).toEqual({ kind: "debian", location: FASHION_MNIST_DEBIAN_DIR });
    expect(manifest.totals.images).toBe(70_000);
    for (const spec of FASHION_MNIST_FILES) {
      expect(manifest.files[spec.key]).toMatchObject({
        path: spec.servedName,
        count: spec.count,
        rawBytes: spec.rawBytes,
        rawSha256: spec.rawSha256,
      });
    }
    expect(manifest.totals.servedBytes).toBeLessThanOrEqual(SERVED_BYTES_BUDGET);
    console.log(`real preparation: ${(result.timings.total / 1000).toFixed(1)} s, served ${manifest.totals.servedBytes} bytes`);
    expect((await prepareFashionMnist(real)).status).toBe("up-to-date");
    expect(await runDataCommand(["--check", "--out", out], {})).toBe(0);

    const data = await readPreparedDataset(out);
    const perClass = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(perClass(data.train.labels)).toEqual(Array(10).fill(6000));
    expect(perClass(data.test.labels)).toEqual(Array(10).fill(1000));
    expect(data.train.images.length).toBe(60_000 * 784);
  });
});
