/**
 * Writes what the Dataset and Best-model pages show about the images themselves into
 * public/data/site/ (generated, git-ignored): summary.json (class counts of the seeded stratified
 * train/validation split and of the test set, sample indices) and one PNG per test image shown
 * (samples of each class, misclassified images of every published run).
 *
 * Usage: node scripts/site-data.ts [--if-stale] [--out DIR]
 *   --if-stale  do nothing when summary.json already lists exactly the images needed and they exist
 * Reads the prepared data of `npm run data` (public/data/fashion-mnist/, checked against its
 * SHA-256 sums); env SITE_RUNS_DIR names the run records (default public/data/runs).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readRuns } from "./lib/read-runs.ts";
import { classCounts, PIXELS, stratifiedSplit } from "../src/lib/data/splits.ts";
import { GALLERY_SIZE, SAMPLES_PER_CLASS, siteDataSchema, type SiteData } from "../src/lib/data/summary.ts";
import { FULL_PROTOCOL, IMAGE_SIZE, NUM_CLASSES } from "../src/lib/study/study.ts";
import { writeFileAtomic } from "./lib/atomic-write.ts";
import { readCommandLine } from "./lib/cli.ts";
import { encodeGrayscalePng } from "./lib/png.ts";
import { DEFAULT_PREPARED_DIR, readPreparedDataset, readPreparedManifest } from "./lib/read-prepared.ts";

const VALIDATION_PER_CLASS = 600;

const USAGE = `Usage: node scripts/site-data.ts [options]

Writes the dataset summary and the test images the pages show (samples of each class, the
misclassified images of every published run) from the prepared data into public/data/site/.
Env SITE_RUNS_DIR names the run records (default public/data/runs).

Options:
  --if-stale      do nothing when summary.json already lists exactly the images needed and they exist
  --out DIR       output folder (default public/data/site)
  --help, -h      print this text`;

/** Test indices needed as PNG: the samples plus each run's most confident mistakes. */
function neededImages(samples: number[][]): number[] {
  const needed = new Set(samples.flat());
  for (const { run } of readRuns()) for (const m of (run.misclassified ?? []).slice(0, GALLERY_SIZE)) needed.add(m.index);
  return [...needed].sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const { values } = readCommandLine({
    usage: USAGE,
    options: { "if-stale": { type: "boolean", default: false }, out: { type: "string", default: "public/data/site" } },
  });
  const out = resolve(values.out);
  const summaryPath = join(out, "summary.json");

  if (values["if-stale"] && existsSync(summaryPath)) {
    const parsed = siteDataSchema.safeParse(JSON.parse(readFileSync(summaryPath, "utf8")));
    if (parsed.success) {
      const needed = neededImages(parsed.data.samples);
      const same =
        needed.length === parsed.data.images.length && needed.every((i, k) => parsed.data.images[k] === i && existsSync(join(out, "test", `${i}.png`)));
      if (same) {
        console.log(`site-data: ${summaryPath} is up to date`);
        return;
      }
    }
  }

  const manifest = await readPreparedManifest();
  const data = await readPreparedDataset();
  const source = `${relative(process.cwd(), DEFAULT_PREPARED_DIR) || DEFAULT_PREPARED_DIR} (from ${manifest.source.location})`;
  const trainLabels = data.train.labels;
  const testLabels = data.test.labels;
  const testImages = data.test.images;

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
    await writeFileAtomic(join(out, "test", `${index}.png`), encodeGrayscalePng(pixels, IMAGE_SIZE, IMAGE_SIZE));
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
  // Last and atomic: a summary that exists lists images that all exist (what --if-stale checks).
  await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 1)}\n`);
  console.log(`site-data: wrote ${summaryPath} and ${images.length} test images from ${source}`);
}

await main();
