/**
 * zod schemas for everything the site publishes: the original study's numbers, the tuning grids,
 * the training protocol and run records (ours from `npm run reproduce`, and readers' reruns,
 * which share one schema so a maintainer can publish an exported rerun as it is).
 */
import { z } from "zod";
import { modelConfigSchema } from "./model-config.ts";
import { batchRowId, rowId } from "./row-id.ts";

export { cnnConfigSchema, modelConfigSchema, resnetConfigSchema, type CnnConfig, type ModelConfig, type ResNetConfig } from "./model-config.ts";

/** A fraction in [0, 1] (accuracy, precision, ...). Percentages are only a display concern. */
const fraction = z.number().min(0).max(1);

/** Loss, accuracy and (weighted-average) precision, recall, F1 of one split. */
export const headlineMetricsSchema = z.object({
  loss: z.number().nonnegative(),
  accuracy: fraction,
  precision: fraction,
  recall: fraction,
  f1: fraction,
});
export type HeadlineMetrics = z.infer<typeof headlineMetricsSchema>;

/** One row of a tuning table as the original study published it. */
export const reportedTuningRowSchema = z.object({
  id: z.string(),
  rank: z.number().int().positive(),
  config: modelConfigSchema,
  valAccuracy: fraction,
});
export type ReportedTuningRow = z.infer<typeof reportedTuningRowSchema>;

/** The original Keras study's published numbers, verbatim. */
export const originalStudySchema = z.object({
  source: z.string(),
  cnnTuning: z.array(reportedTuningRowSchema),
  resnetTuning: z.array(reportedTuningRowSchema),
  bestModel: z.object({
    id: z.string(),
    config: modelConfigSchema,
    valAccuracy: fraction,
    test: headlineMetricsSchema,
    validation: headlineMetricsSchema,
    train: headlineMetricsSchema,
  }),
});
export type OriginalStudy = z.infer<typeof originalStudySchema>;

/** How a model is trained and evaluated. `epochs` etc. may be capped by presets. */
export const protocolSchema = z.object({
  name: z.enum(["full", "quick", "smoke", "custom"]),
  optimizer: z.literal("adam"),
  learningRate: z.number().positive(),
  batchSize: z.number().int().positive(),
  epochs: z.number().int().positive(),
  /** Seed of the train/validation split (fixed across runs so every run sees the same split). */
  splitSeed: z.number().int(),
  /** Seed of weight initialisation and batch shuffling. */
  seed: z.number().int(),
  /** Training images actually used (a prefix of the seeded shuffled 54,000). */
  trainImages: z.number().int().positive(),
  validationImages: z.number().int().positive(),
  testImages: z.number().int().positive(),
  /** Which epoch's weights are kept: the best validation accuracy (as keras-tuner reports) or the last. */
  selection: z.enum(["best-val-accuracy", "last"]),
});
export type Protocol = z.infer<typeof protocolSchema>;

export const classMetricsSchema = z.object({
  precision: fraction,
  recall: fraction,
  f1: fraction,
  support: z.number().int().nonnegative(),
});

/** Full evaluation of one split (scikit-learn definitions; zero denominators give 0). */
export const splitMetricsSchema = headlineMetricsSchema.extend({
  images: z.number().int().nonnegative(),
  macro: z.object({ precision: fraction, recall: fraction, f1: fraction }),
  weighted: z.object({ precision: fraction, recall: fraction, f1: fraction }),
  perClass: z.array(classMetricsSchema),
  /** confusionMatrix[true][predicted] counts. */
  confusionMatrix: z.array(z.array(z.number().int().nonnegative())),
});
export type SplitMetrics = z.infer<typeof splitMetricsSchema>;

export const epochRecordSchema = z.object({
  epoch: z.number().int().positive(),
  loss: z.number(),
  accuracy: fraction,
  valLoss: z.number().optional(),
  valAccuracy: fraction.optional(),
  seconds: z.number().nonnegative(),
  imagesPerSecond: z.number().nonnegative(),
  /**
   * Processor seconds of the epoch's training (the span of `seconds`), all threads of the process
   * added: Node runs only (`process.cpuUsage`). Unlike `seconds` it does not count time the process
   * waited for a core or was stopped, so on one thread it is the epoch's time on an idle core.
   * Absent in browser records and in records written before it was added.
   */
  cpuSeconds: z.number().nonnegative().optional(),
});
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const environmentSchema = z.object({
  runtime: z.enum(["node", "browser"]),
  backend: z.string(),
  tfjsVersion: z.string(),
  cpu: z.string().optional(),
  cores: z.number().int().positive().optional(),
  platform: z.string().optional(),
  nodeVersion: z.string().optional(),
  userAgent: z.string().optional(),
  gpu: z.string().optional(),
  /**
   * wasm: XNNPACK threads of the run. Node: `--wasm-threads` (absent: 1, the stock Node backend);
   * browser: the threads the reader's worker ran (more than 1 only in a cross-origin-isolated page;
   * absent in records made before browsers recorded it, which ran on 1).
   */
  wasmThreads: z.number().int().positive().optional(),
  /**
   * Node: the git commit of this project's code that wrote the record (`git rev-parse --short=12
   * HEAD`), with "+changes" when tracked files differed from it; a resumed run names the commit of
   * its last piece (each piece's is in the record's `pieces`). Absent in browser records, outside a git checkout, and in records written
   * before it was added. Kernels change between commits, so two records of one protocol and seed
   * agree to the last digit only when made with numerically equal code.
   */
  commit: z.string().optional(),
});

/**
 * One uninterrupted piece of a run resumed from checkpoints (`npm run reproduce`): the epochs
 * finished before it began, when it began, and the environment it ran in. A piece that finished
 * no epoch left no checkpoint and is not one.
 */
export const runPieceSchema = z.object({
  /** Epochs finished before this piece began: 0 for the first piece. */
  afterEpoch: z.number().int().nonnegative(),
  /** ISO 8601 start of the piece. */
  startedAt: z.string(),
  environment: environmentSchema,
});
export type RunPiece = z.infer<typeof runPieceSchema>;

/** A misclassified test image, for the gallery. */
export const misclassifiedSchema = z.object({
  index: z.number().int().nonnegative(),
  label: z.number().int().min(0).max(9),
  predicted: z.number().int().min(0).max(9),
  confidence: fraction,
});

/**
 * One training run: written by `npm run reproduce` and by a reader's export. Beyond each field's
 * shape, `rowId` must be the row id of `config` (or, for a batch-size ablation row, that id with
 * `-b<protocol.batchSize>` appended, e.g. `cnn-32-64-3-64-b32`) and `bestEpoch` one of the
 * recorded `epochs`.
 * The site's build reads `public/data/runs/*.json` with it (the `runs` collection of
 * src/content.config.ts), and so do the Node scripts (scripts/lib/read-runs.ts).
 */
export const runRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** Unique id of this run, e.g. `cnn-32-64-3-64.full.2026-11-24T10-00-00Z`. */
    runId: z.string(),
    /** The tuning-table row this run reproduces, e.g. `cnn-32-64-3-64`. */
    rowId: z.string(),
    source: z.enum(["pipeline", "reader"]),
    config: modelConfigSchema,
    protocol: protocolSchema,
    environment: environmentSchema,
    startedAt: z.string(),
    finishedAt: z.string(),
    /** Seconds of running time (training and evaluation); a resumed run adds its pieces, without the pause between them. */
    wallTimeSeconds: z.number().nonnegative(),
    /**
     * Seconds from `startedAt` to `finishedAt`, pauses of a resumed run included (equal to
     * `wallTimeSeconds` up to rounding for a run that was never interrupted). Absent in records
     * written before it was added; `elapsedSeconds()` of runs.ts falls back to the timestamps.
     */
    elapsedSeconds: z.number().nonnegative().optional(),
    /**
     * Processor seconds of the whole run (training and evaluation), all threads of the process, a
     * resumed run's pieces added: Node runs only. Absent in browser records, in records written
     * before it was added, and when a piece of the run was not measured (resumed from an older
     * checkpoint).
     */
    cpuSeconds: z.number().nonnegative().optional(),
    /** Epochs finished before the run was last resumed from a checkpoint; absent for a run never resumed (or written before it was added). */
    resumedAfterEpoch: z.number().int().nonnegative().optional(),
    /**
     * A resumed run's pieces, in order, each with its environment (threads, commit); `environment`
     * is the last one's. Absent for a run never resumed, in records written before it was added,
     * and when a piece was resumed from a checkpoint that did not yet keep them.
     */
    pieces: z.array(runPieceSchema).min(2).optional(),
    parameters: z.number().int().positive(),
    epochs: z.array(epochRecordSchema),
    bestEpoch: z.number().int().positive(),
    metrics: z.object({
      train: splitMetricsSchema.optional(),
      validation: splitMetricsSchema,
      test: splitMetricsSchema,
    }),
    /** Up to a few hundred misclassified test images (most confident first). */
    misclassified: z.array(misclassifiedSchema).optional(),
    /** Path of saved tfjs weights relative to `public/data/`, when saved. */
    modelPath: z.string().optional(),
    /**
     * Predicted class (0..9) of every test image, one byte each in the order of the test split
     * (the official test-set order for the full 10,000), base64-encoded: 13,336 characters for
     * 10,000 images. Lets two runs be compared image by image (McNemar's test, a paired bootstrap).
     * Absent in records written before it was added.
     */
    testPredictions: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected base64 (A-Z, a-z, 0-9, +, / and = padding)")
      .optional(),
  })
  .superRefine((run, ctx) => {
    const expected = rowId(run.config);
    if (run.rowId !== expected && run.rowId !== batchRowId(run.config, run.protocol.batchSize))
      ctx.addIssue({ code: "custom", path: ["rowId"], message: `"${run.rowId}" does not match config (expected "${expected}")` });
    if (!run.epochs.some((e) => e.epoch === run.bestEpoch))
      ctx.addIssue({ code: "custom", path: ["bestEpoch"], message: `${run.bestEpoch} is not one of the recorded epochs` });
    if (run.pieces) {
      const after = run.pieces.map((p) => p.afterEpoch);
      if (after[0] !== 0 || after.some((a, i) => i > 0 && a <= after[i - 1]))
        ctx.addIssue({ code: "custom", path: ["pieces"], message: `pieces must begin after epochs 0, then ever later ones (got ${after.join(", ")})` });
      if (after.at(-1) !== run.resumedAfterEpoch)
        ctx.addIssue({
          code: "custom",
          path: ["pieces"],
          message: `the last piece begins after epoch ${after.at(-1)}, but resumedAfterEpoch is ${run.resumedAfterEpoch}`,
        });
    }
  });
export type RunRecord = z.infer<typeof runRecordSchema>;
