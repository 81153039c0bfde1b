/**
 * Writes what the Dataset and Best-model pages show about the images themselves into
 * public/data/site/ (generated, git-ignored): summary.json (class counts of the seeded stratified
 * train/validation split and of the test set, sample indices) and one PNG per test image shown
 * (samples of each class, misclassified images of every published run).
 *
 * Usage: node scripts/site-data.ts [--if-stale] [--out DIR]
 *   --if-stale  do nothing when summary.json already lists exactly the images needed and they exist
 * Env: FASHION_MNIST_DIR (folder with the four IDX files, .gz or not; default: the prepared
 *      public/data/fashion-mnist/, then the Debian package's /usr/share/datasets/fashion-mnist/),
 *      SITE_RUNS_DIR (run records; default public/data/runs).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { loadRuns } from "../src/build/load-runs.ts";
import { classCounts, PIXELS, stratifiedSplit } from "../src/lib/dataset.ts";
import { GALLERY_SIZE, SAMPLES_PER_CLASS, siteDataSchema, type SiteData } from "../src/lib/site-data.ts";
import { FULL_PROTOCOL, IMAGE_SIZE, NUM_CLASSES } from "../src/lib/study.ts";
import { encodeGrayscalePng } from "./lib/png.ts";

const VALIDATION_PER_CLASS = 600;
const SOURCES = [process.env.FASHION_MNIST_DIR, "public/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"];
const FILES = {
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** The first folder holding all the needed files (gzipped or not). */
function findSource(): string {
  const has = (dir: string, name: string) => existsSync(join(dir, `${name}.gz`)) || existsSync(join(dir, name));
  for (const dir of SOURCES) if (dir && Object.values(FILES).every((name) => has(dir, name))) return dir;
  throw new Error(
    `site-data: no Fashion-MNIST files found. Looked in ${SOURCES.filter(Boolean).join(", ")} for ${Object.values(FILES).join(", ")} (.gz or not). Run \`npm run data\`, install the Debian package dataset-fashion-mnist, or set FASHION_MNIST_DIR.`,
  );
}

/** Read one IDX file's payload, checking its magic number and dimensions. */
function readIdx(dir: string, name: string, magic: number, dims: number[]): Uint8Array {
  const gz = join(dir, `${name}.gz`);
  const bytes = existsSync(gz) ? gunzipSync(readFileSync(gz)) : readFileSync(join(dir, name));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = 4 + 4 * dims.length;
  if (bytes.length < header || view.getInt32(0) !== magic)
    throw new Error(`site-data: ${name} in ${dir} is not an IDX file with magic 0x${magic.toString(16).padStart(8, "0")}`);
  dims.forEach((d, i) => {
    if (i > 0 && view.getInt32(4 + 4 * i) !== d)
      throw new Error(`site-data: ${name} dimension ${i} is ${view.getInt32(4 + 4 * i)}, expected ${d}`);
  });
  const n = view.getInt32(4);
  const payload = bytes.subarray(header);
  if (payload.length !== n * dims.slice(1).reduce((a, b) => a * b, 1))
    throw new Error(`site-data: ${name} holds ${payload.length} bytes, expected ${n} items`);
  return payload;
}

/** Test indices needed as PNG: the samples plus each run's most confident mistakes. */
function neededImages(samples: number[][]): number[] {
  const needed = new Set(samples.flat());
  for (const { run } of loadRuns()) for (const m of (run.misclassified ?? []).slice(0, GALLERY_SIZE)) needed.add(m.index);
  return [...needed].sort((a, b) => a - b);
}

function main(): void {
  const { values } = parseArgs({ options: { "if-stale": { type: "boolean" }, out: { type: "string" } } });
  const out = resolve(values.out ?? "public/data/site");
  const summaryPath = join(out, "summary.json");

  if (values["if-stale"] && existsSync(summaryPath)) {
    const parsed = siteDataSchema.safeParse(JSON.parse(readFileSync(summaryPath, "utf8")));
    if (parsed.success) {
      const needed = neededImages(parsed.data.samples);
      const same =
        needed.length === parsed.data.images.length &&
        needed.every((i, k) => parsed.data.images[k] === i && existsSync(join(out, "test", `${i}.png`)));
      if (same) {
        console.log(`site-data: ${summaryPath} is up to date`);
        return;
      }
    }
  }

  const source = findSource();
  const trainLabels = readIdx(source, FILES.trainLabels, 0x801, [60_000]);
  const testLabels = readIdx(source, FILES.testLabels, 0x801, [10_000]);
  const testImages = readIdx(source, FILES.testImages, 0x803, [10_000, IMAGE_SIZE, IMAGE_SIZE]);

  const split = stratifiedSplit(trainLabels, VALIDATION_PER_CLASS, FULL_PROTOCOL.splitSeed);
  const labelsAt = (indices: Int32Array) => Uint8Array.from(indices, (i) => trainLabels[i]);
  const samples: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < testLabels.length; i++) {
    const list = samples[testLabels[i]];
    if (list.length < SAMPLES_PER_CLASS) list.push(i);
  }
  const images = neededImages(samples);

  mkdirSync(join(out, "test"), { recursive: true });
  // Images of runs no longer published would otherwise ship with every later build.
  const keep = new Set(images.map((i) => `${i}.png`));
  for (const file of readdirSync(join(out, "test"))) if (!keep.has(file)) rmSync(join(out, "test", file));
  for (const index of images) {
    if (index >= testLabels.length) throw new Error(`site-data: a run names test image ${index}, beyond the test set`);
    const pixels = testImages.subarray(index * PIXELS, (index + 1) * PIXELS);
    writeFileSync(join(out, "test", `${index}.png`), encodeGrayscalePng(pixels, IMAGE_SIZE, IMAGE_SIZE));
  }
  const summary: SiteData = siteDataSchema.parse({
    schemaVersion: 1,
    source,
    splitSeed: FULL_PROTOCOL.splitSeed,
    validationPerClass: VALIDATION_PER_CLASS,
    counts: {
      train: classCounts(labelsAt(split.train)),
      validation: classCounts(labelsAt(split.validation)),
      test: classCounts(testLabels),
    },
    samples,
    images,
  });
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 1)}\n`);
  console.log(`site-data: wrote ${summaryPath} and ${images.length} test images from ${source}`);
}

main();
