/**
 * The core of `npm run data` (scripts/data.ts): find the four Fashion-MNIST files, check the
 * SHA-256 of their decompressed bytes, and write them re-gzipped, with manifest.json, to the
 * folder the site serves. Node-only.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gzip as gzipCallback } from "node:zlib";
import {
  FASHION_MNIST_DEBIAN_DIR,
  FASHION_MNIST_DOWNLOAD_URL,
  FASHION_MNIST_FILES,
  SERVED_BYTES_BUDGET,
  type FashionMnistFileSpec,
} from "../../src/lib/data/files.ts";
import { parseIdx } from "../../src/lib/data/idx.ts";
import { formatCount } from "../../src/lib/format.ts";
import { buildPreparedManifest, isGzip, parsePreparedManifest, type PreparedFile, type PreparedManifest } from "../../src/lib/data/prepared.ts";
import { IMAGE_SIZE } from "../../src/lib/study/study.ts";
import { removeStaleTemporaries, writeFileAtomic } from "./atomic-write.ts";

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** Name of the manifest inside the output folder. */
export const MANIFEST_NAME = "manifest.json";

/** Test seams: not reachable from the command line. */
export interface PrepareInternals {
  /** Expected files (names, counts, sizes, SHA-256) instead of FASHION_MNIST_FILES. */
  files?: readonly FashionMnistFileSpec[];
  /** Instead of FASHION_MNIST_DEBIAN_DIR. */
  debianDir?: string;
  /** Instead of FASHION_MNIST_DOWNLOAD_URL. */
  downloadUrl?: string;
  /** Instead of the global fetch. */
  fetch?: typeof fetch;
  /** Clock for manifest.createdAt. */
  now?: () => Date;
}

/** Options of {@link prepareFashionMnist}. */
export interface PrepareOptions {
  /** Folder named by the user (--from or FASHION_MNIST_DIR), tried first. */
  from?: string;
  /** Output folder; the site serves public/data/fashion-mnist. */
  out: string;
  /** Rebuild even when the output is up to date. */
  force?: boolean;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
  internal?: PrepareInternals;
}

/** What {@link prepareFashionMnist} did. */
export interface PrepareResult {
  status: "prepared" | "up-to-date";
  manifest: PreparedManifest;
  /** Milliseconds per step ("check", "read", "verify", "compress", "write", "total"). */
  timings: Record<string, number>;
}

/** A failure the command line reports as a message, without a stack trace. */
export class PrepareError extends Error {
  override name = "PrepareError";
}

type SourceKind = PreparedManifest["source"]["kind"];

interface RawFile {
  spec: FashionMnistFileSpec;
  raw: Uint8Array;
  /** Where it was read from, for messages. */
  origin: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function formatBytes(bytes: number): string {
  return `${formatCount(bytes)} bytes (${(bytes / 1e6).toFixed(2)} MB)`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function gunzipIfNeeded(bytes: Uint8Array, origin: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const raw = await gunzip(bytes);
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  } catch (error) {
    throw new PrepareError(`${origin}: not valid gzip (${(error as Error).message})`);
  }
}

/**
 * Reads the four files from a folder holding `<name>.gz` or `<name>` for each.
 * @returns the files, or the names missing from the folder
 */
async function readFolder(dir: string, files: readonly FashionMnistFileSpec[]): Promise<{ files: RawFile[] } | { missing: string[] }> {
  const found: { spec: FashionMnistFileSpec; file: string }[] = [];
  const missing: string[] = [];
  for (const spec of files) {
    const candidates = [path.join(dir, `${spec.sourceName}.gz`), path.join(dir, spec.sourceName)];
    let file: string | undefined;
    for (const candidate of candidates) {
      if (await exists(candidate)) {
        file = candidate;
        break;
      }
    }
    if (file) found.push({ spec, file });
    else missing.push(`${spec.sourceName}[.gz]`);
  }
  if (missing.length > 0) return { missing };
  const raws: RawFile[] = [];
  for (const { spec, file } of found) {
    raws.push({ spec, raw: await gunzipIfNeeded(new Uint8Array(await readFile(file)), file), origin: file });
  }
  return { files: raws };
}

/** Downloads the four `.gz` files; throws a plain Error (network, HTTP status) for the caller to list. */
async function download(baseUrl: string, files: readonly FashionMnistFileSpec[], fetcher: typeof fetch): Promise<RawFile[]> {
  const raws: RawFile[] = [];
  for (const spec of files) {
    const url = `${baseUrl}/${spec.sourceName}.gz`;
    let response: Response;
    try {
      response = await fetcher(url, { signal: AbortSignal.timeout(300_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${url}: ${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ""}`, { cause: error });
    }
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    raws.push({ spec, raw: await gunzipIfNeeded(bytes, url), origin: url });
  }
  return raws;
}

/** Finds a source in order (named folder, Debian folder, download) and reads the four files. */
async function readSource(
  options: PrepareOptions,
  files: readonly FashionMnistFileSpec[],
  log: (line: string) => void,
): Promise<{ kind: SourceKind; location: string; raws: RawFile[] }> {
  const internal = options.internal ?? {};
  const folders: { kind: SourceKind; dir: string; label: string }[] = [];
  if (options.from) folders.push({ kind: "folder", dir: path.resolve(options.from), label: "folder (--from / FASHION_MNIST_DIR)" });
  folders.push({ kind: "debian", dir: internal.debianDir ?? FASHION_MNIST_DEBIAN_DIR, label: "Debian package folder" });
  const tried: string[] = [];
  for (const { kind, dir, label } of folders) {
    const result = await readFolder(dir, files);
    if ("files" in result) return { kind, location: dir, raws: result.files };
    const problem = `${label} ${dir}: missing ${result.missing.join(", ")}`;
    tried.push(problem);
    log(`  not found: ${problem}`);
  }
  const url = internal.downloadUrl ?? FASHION_MNIST_DOWNLOAD_URL;
  log(`  downloading from ${url} ...`);
  try {
    return { kind: "download", location: url, raws: await download(url, files, internal.fetch ?? fetch) };
  } catch (error) {
    tried.push(`download: ${(error as Error).message}`);
  }
  throw new PrepareError(
    [
      "no source of the Fashion-MNIST files worked. Tried, in order:",
      ...tried.map((line) => `  - ${line}`),
      "Install the Debian/Ubuntu package (apt-get install dataset-fashion-mnist), or pass --from DIR",
      "(or set FASHION_MNIST_DIR) naming a folder with the four files, .gz or decompressed.",
    ].join("\n"),
  );
}

const REPAIR_HINT =
  "The source's copy is damaged or another version: reinstall it (apt-get install --reinstall dataset-fashion-mnist)\n" +
  "or pass --from DIR (or set FASHION_MNIST_DIR) naming a folder with intact copies.";

/** Adds how to get intact files to a PrepareError about a bad file (not to "no source worked"). */
async function withRepairHint<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PrepareError && !error.message.includes("apt-get install")) {
      throw new PrepareError(`${error.message}\n${REPAIR_HINT}`);
    }
    throw error;
  }
}

/** Checks sizes, SHA-256 and IDX structure of every file; throws naming the first bad one. */
function verifyRaw(raws: RawFile[]): void {
  for (const { spec, raw, origin } of raws) {
    if (raw.length !== spec.rawBytes) {
      throw new PrepareError(`${spec.sourceName} (${origin}): expected ${spec.rawBytes} bytes after decompression, found ${raw.length}`);
    }
    const actual = sha256(raw);
    if (actual !== spec.rawSha256) {
      throw new PrepareError(
        `${spec.sourceName} (${origin}): SHA-256 mismatch of the decompressed bytes:\n` + `  expected ${spec.rawSha256}\n  actual   ${actual}`,
      );
    }
    let dims: number[];
    try {
      dims = parseIdx(raw, spec.sourceName).dims;
    } catch (error) {
      throw new PrepareError((error as Error).message);
    }
    const expected = spec.kind === "images" ? [spec.count, IMAGE_SIZE, IMAGE_SIZE] : [spec.count];
    if (dims.join(",") !== expected.join(",")) {
      throw new PrepareError(`${spec.sourceName}: expected dims [${expected.join(", ")}], found [${dims.join(", ")}]`);
    }
  }
}

/** Result of {@link checkPreparedData}. */
export type CheckResult = { ok: true; manifest: PreparedManifest } | { ok: false; problem: string };

/**
 * Whether `out` holds prepared data for the expected files: manifest.json is valid, records the
 * expected raw sizes and SHA-256, and every served file has the manifest's size and SHA-256.
 * Reads and hashes the served files (~31 MB) but decompresses nothing.
 */
export async function checkPreparedData(out: string, files: readonly FashionMnistFileSpec[] = FASHION_MNIST_FILES): Promise<CheckResult> {
  const manifestFile = path.join(out, MANIFEST_NAME);
  let manifest: PreparedManifest;
  try {
    manifest = parsePreparedManifest(JSON.parse(await readFile(manifestFile, "utf8")));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === "ENOENT" ? `${manifestFile} does not exist` : `${manifestFile}: ${(error as Error).message}` };
  }
  for (const spec of files) {
    const entry = manifest.files[spec.key];
    if (entry.rawSha256 !== spec.rawSha256 || entry.rawBytes !== spec.rawBytes || entry.count !== spec.count) {
      return { ok: false, problem: `${manifestFile}: ${spec.key} does not describe the expected ${spec.sourceName}` };
    }
    const file = path.join(out, entry.path);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch {
      return { ok: false, problem: `${file} is missing` };
    }
    if (bytes.length !== entry.servedBytes) {
      return { ok: false, problem: `${file}: expected ${entry.servedBytes} bytes, found ${bytes.length}` };
    }
    const actual = sha256(bytes);
    if (actual !== entry.servedSha256) {
      return { ok: false, problem: `${file}: SHA-256 mismatch: expected ${entry.servedSha256}, actual ${actual}` };
    }
  }
  return { ok: true, manifest };
}

/**
 * Prepares the served Fashion-MNIST files in `options.out`: train-images.idx.gz,
 * train-labels.idx.gz, test-images.idx.gz, test-labels.idx.gz (IDX re-gzipped at level 9 with no
 * name or time in the header, so the bytes are reproducible) and manifest.json, written last.
 * Returns at once ("up-to-date") when {@link checkPreparedData} passes, unless `force`.
 * @throws PrepareError when no source has the files (listing what was tried) or a file's size,
 *   SHA-256 or IDX structure is wrong (naming it); `out` is then left as it was
 */
export async function prepareFashionMnist(options: PrepareOptions): Promise<PrepareResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const files = options.internal?.files ?? FASHION_MNIST_FILES;
  const out = path.resolve(options.out);
  const timings: Record<string, number> = {};
  const started = performance.now();
  let mark = started;
  const lap = (step: string) => {
    const now = performance.now();
    timings[step] = now - mark;
    mark = now;
  };

  await removeStaleTemporaries(out);
  if (!options.force) {
    const check = await checkPreparedData(out, files);
    lap("check");
    if (check.ok) {
      timings.total = performance.now() - started;
      log(`Fashion-MNIST in ${out}: up to date (checked in ${seconds(timings.total)}; --force rebuilds)`);
      return { status: "up-to-date", manifest: check.manifest, timings };
    }
    log(`Fashion-MNIST in ${out}: preparing (${check.problem})`);
  } else {
    lap("check");
    log(`Fashion-MNIST in ${out}: preparing (--force)`);
  }

  const source = await withRepairHint(readSource(options, files, log));
  lap("read");
  log(`  source: ${source.kind} ${source.location} (read and decompressed in ${seconds(timings.read)})`);
  await withRepairHint(Promise.resolve().then(() => verifyRaw(source.raws)));
  lap("verify");
  log(`  verified SHA-256 and IDX headers of ${source.raws.length} files in ${seconds(timings.verify)}`);

  const served = await Promise.all(source.raws.map(async ({ spec, raw }) => ({ spec, raw, gz: new Uint8Array(await gzip(raw, { level: 9 })) })));
  lap("compress");
  log(`  gzip -9 in ${seconds(timings.compress)}`);

  await mkdir(out, { recursive: true });
  // Drop the old manifest first: until the new one lands, the folder reads as "not prepared".
  await rm(path.join(out, MANIFEST_NAME), { force: true });
  const entries = {} as PreparedManifest["files"];
  for (const { spec, raw, gz } of served) {
    await writeFileAtomic(path.join(out, spec.servedName), gz);
    const entry: PreparedFile = {
      path: spec.servedName,
      count: spec.count,
      rawBytes: raw.length,
      rawSha256: spec.rawSha256,
      servedBytes: gz.length,
      servedSha256: sha256(gz),
    };
    entries[spec.key] = entry;
    log(`  ${spec.servedName.padEnd(20)} ${formatBytes(gz.length)} from ${formatBytes(raw.length)}`);
  }
  const createdAt = (options.internal?.now?.() ?? new Date()).toISOString();
  const manifest = buildPreparedManifest(createdAt, { kind: source.kind, location: source.location }, entries);
  await writeFileAtomic(path.join(out, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  lap("write");
  timings.total = performance.now() - started;

  const total = manifest.totals.servedBytes;
  log(
    `  total served: ${formatBytes(total)} for ${formatCount(manifest.totals.images)} images + labels; ` +
      `budget ${formatBytes(SERVED_BYTES_BUDGET)}${total > SERVED_BYTES_BUDGET ? " -- OVER BUDGET" : ""}`,
  );
  log(`  wrote ${path.join(out, MANIFEST_NAME)} in ${seconds(timings.total)} total`);
  return { status: "prepared", manifest, timings };
}
