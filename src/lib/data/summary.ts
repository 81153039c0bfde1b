/**
 * The dataset summary the site publishes (written by `scripts/site-data.ts` into
 * `public/data/site/summary.json`): class counts of each split, the split recipe, and which test
 * images exist as PNG files (samples per class and misclassified images of published runs).
 */
import { z } from "zod";
import { NUM_CLASSES } from "../study/study.ts";

/** Test images shown per class on the Dataset page. */
export const SAMPLES_PER_CLASS = 6;
/** Misclassified test images shown (and written as PNG) per run. */
export const GALLERY_SIZE = 24;

const count = z.number().int().nonnegative();
const perClassCounts = z.array(count).length(NUM_CLASSES);

/** Schema of `public/data/site/summary.json`. */
export const siteDataSchema = z.object({
  schemaVersion: z.literal(1),
  /** Where the images and labels were read from (the prepared folder and its original source). */
  source: z.string(),
  /** Seed and per-class size of the stratified train/validation split. */
  splitSeed: z.number().int(),
  validationPerClass: z.number().int().positive(),
  /** Images per label in each split. */
  counts: z.object({ train: perClassCounts, validation: perClassCounts, test: perClassCounts }),
  /** Test-set indices of the sample images of each class, by label. */
  samples: z.array(z.array(count)).length(NUM_CLASSES),
  /** Test-set indices that have a PNG under `data/site/test/` (samples and gallery images). */
  images: z.array(count),
});
export type SiteData = z.infer<typeof siteDataSchema>;

/**
 * Path, relative to the site base, of the PNG of one test image.
 * @param index 0-based index into the official 10,000-image test set
 */
export function testImagePath(index: number): string {
  return `data/site/test/${index}.png`;
}
