/**
 * The checks a run record made elsewhere passes before it is published (scripts/check-record.ts):
 * it is a valid record for the build, its `testPredictions` give its test confusion matrix and
 * accuracy, and its saved weights, evaluated again on its own test (and validation) split, give
 * the same accuracy and the same predictions. Each check returns lines with the numbers it
 * compared, so a reader of the output can see what was measured, not only a verdict.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { makeSplits, type ImageSet, type Splits } from "../../src/lib/data/splits.ts";
import { confusionMatrix, evaluate } from "../../src/lib/model/metrics.ts";
import { modelFromFiles } from "../../src/lib/model/model-io.ts";
import { formatCount, formatLoss, formatPercent } from "../../src/lib/format.ts";
import { decodePredictions } from "../../src/lib/study/predictions.ts";
import { describePieces, formatIssues, publishedRunSchema } from "../../src/lib/study/runs.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";
import { NUM_CLASSES } from "../../src/lib/study/study.ts";
import { modelFolderName } from "./reproduce-plan.ts";

/** The outcome of one check of one record. */
export interface CheckResult {
  /** "schema", "predictions" or "weights". */
  name: string;
  ok: boolean;
  /** What was compared, with the numbers; on failure the first line says what is wrong. */
  lines: string[];
}

/** The official training and test sets a record's splits are made from. */
export interface OfficialSets {
  train: ImageSet;
  test: ImageSet;
}

/** Largest difference between a recomputed and a recorded mean loss that still counts as equal. */
export const LOSS_TOLERANCE = 1e-4;

/**
 * (a) Validate a parsed record with `publishedRunSchema`, the schema the build's `runs` collection
 * uses (shape, row id against config, best epoch, prediction counts per class against the matrix).
 * @returns the result, and the record when it is valid
 */
export function checkSchema(value: unknown): { result: CheckResult; record?: RunRecord } {
  const parsed = publishedRunSchema.safeParse(value);
  if (!parsed.success)
    return {
      result: { name: "schema", ok: false, lines: ["not a valid run record (publishedRunSchema):", ...formatIssues(parsed.error.issues).split("\n")] },
    };
  const r = parsed.data;
  return {
    record: r,
    result: {
      name: "schema",
      ok: true,
      lines: [
        `valid run record (publishedRunSchema): row ${r.rowId}, protocol ${r.protocol.name}, seed ${r.protocol.seed}, ` +
          `${r.epochs.length} epochs, best epoch ${r.bestEpoch}, ${formatCount(r.parameters)} parameters, ${r.environment.backend}` +
          (r.environment.wasmThreads ? ` (${r.environment.wasmThreads} threads)` : ""),
        ...describePieces(r).map((piece, i) => `  piece ${i + 1}: ${piece}`),
      ],
    },
  };
}

/**
 * The record's own train/validation/test splits, rebuilt from the official sets with its protocol
 * (split seed and image counts), as `runRow` made them.
 */
export function recordSplits(record: RunRecord, sets: OfficialSets): Splits {
  const p = record.protocol;
  return makeSplits(sets.train, sets.test, {
    splitSeed: p.splitSeed,
    trainImages: p.trainImages,
    validationImages: p.validationImages,
    testImages: p.testImages,
  });
}

/** Correct predictions of `predicted` against `labels` (same length). */
function countCorrect(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) correct++;
  return correct;
}

/** Whether a recorded accuracy is `correct / images` (as `classificationReport` computes it). */
function sameAccuracy(recorded: number, correct: number, images: number): boolean {
  return Math.abs(recorded - correct / images) < 1e-12;
}

/**
 * (b) Recompute the test confusion matrix and accuracy from `testPredictions` and the labels of
 * the record's test split, and compare them cell by cell with the recorded ones.
 * @param testLabels labels of the record's test split (0..9), in the order of its predictions
 */
export function checkPredictions(record: RunRecord, testLabels: ArrayLike<number>): CheckResult {
  const fail = (...lines: string[]): CheckResult => ({ name: "predictions", ok: false, lines });
  const test = record.metrics.test;
  if (record.testPredictions === undefined) return fail("the record has no testPredictions");
  if (testLabels.length !== test.images)
    return fail(`the record's test split has ${formatCount(testLabels.length)} images here, but its test metrics count ${formatCount(test.images)}`);
  let predicted: Uint8Array;
  try {
    predicted = decodePredictions(record.testPredictions, test.images);
  } catch (error) {
    return fail(`testPredictions: ${(error as Error).message}`);
  }
  const matrix = confusionMatrix(testLabels, predicted, NUM_CLASSES);
  const recorded = test.confusionMatrix;
  const cells = NUM_CLASSES * NUM_CLASSES;
  const differing: string[] = [];
  for (let t = 0; t < NUM_CLASSES; t++)
    for (let p = 0; p < NUM_CLASSES; p++) if (matrix[t][p] !== recorded[t]?.[p]) differing.push(`[${t}][${p}] ${matrix[t][p]} vs recorded ${recorded[t]?.[p]}`);
  const shapeOk = recorded.length === NUM_CLASSES && recorded.every((row) => row.length === NUM_CLASSES);
  const correct = countCorrect(testLabels, predicted);
  const accuracyOk = sameAccuracy(test.accuracy, correct, test.images);
  const lines = [
    `${formatCount(predicted.length)} test predictions against the test labels: confusion matrix ` +
      `${cells - differing.length} of ${cells} cells equal to the recorded one` +
      (shapeOk ? "" : ` (the recorded matrix is not ${NUM_CLASSES}x${NUM_CLASSES})`),
    `accuracy ${formatPercent(correct / test.images)} (${formatCount(correct)} / ${formatCount(test.images)}), recorded ${test.accuracy}` +
      (accuracyOk ? "" : " (differs)"),
  ];
  if (differing.length) lines.push(`differing cells (true][predicted): ${differing.slice(0, 8).join(", ")}${differing.length > 8 ? ", …" : ""}`);
  const ok = differing.length === 0 && shapeOk && accuracyOk;
  return { name: "predictions", ok, lines: ok ? lines : [`testPredictions do not reproduce the recorded test metrics`, ...lines] };
}

/**
 * Where a record's weights are: `modelPath` (`models/<folder>/model.json`, relative to
 * public/data/) under `modelsDir`, the folder that holds `<folder>/model.json`.
 * @throws Error when the record names no weights or a path outside `models/`
 */
export function modelFolderOf(record: RunRecord, modelsDir: string): string {
  const path = record.modelPath;
  if (path === undefined) throw new Error("the record names no saved weights (no modelPath; run reproduce with --save-model)");
  const match = /^models\/([^/]+)\/model\.json$/.exec(path);
  if (!match) throw new Error(`modelPath "${path}" is not models/<folder>/model.json`);
  return join(modelsDir, match[1]);
}

/**
 * Read a tfjs layers model saved by `npm run reproduce --save-model` (model.json and the weight
 * files its manifest names, concatenated in manifest order).
 */
export async function readModelFolder(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as Record<string, unknown>;
  const manifest = (modelJson.weightsManifest ?? []) as { paths: string[] }[];
  const parts = await Promise.all(manifest.flatMap((group) => group.paths).map((file) => readFile(join(dir, file))));
  const weights = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    weights.set(part, offset);
    offset += part.length;
  }
  return modelFromFiles({ modelJson, weights });
}

/**
 * (c) Load the record's saved weights and evaluate them on its test and validation splits: test
 * accuracy and each prediction against the record's, loss within {@link LOSS_TOLERANCE},
 * validation accuracy, parameter count, and that `modelPath` is where reproduce saves this row and
 * seed (where the site's Grad-CAM page looks for them).
 */
export async function checkWeights(record: RunRecord, splits: Splits, modelsDir: string): Promise<CheckResult> {
  const fail = (...lines: string[]): CheckResult => ({ name: "weights", ok: false, lines });
  let dir: string;
  let model: tf.LayersModel;
  try {
    dir = modelFolderOf(record, modelsDir);
    model = await readModelFolder(dir);
  } catch (error) {
    return fail(`cannot load the weights: ${(error as Error).message}`);
  }
  try {
    const problems: string[] = [];
    const expectedPath = `models/${modelFolderName(record.rowId, record.protocol.seed)}/model.json`;
    if (record.modelPath !== expectedPath)
      problems.push(`modelPath ${record.modelPath} is not ${expectedPath}, where reproduce saves row ${record.rowId} seed ${record.protocol.seed}`);
    const parameters = model.countParams();
    if (parameters !== record.parameters) problems.push(`${formatCount(parameters)} parameters, recorded ${formatCount(record.parameters)}`);

    const test = (await evaluate(model, splits.test))!;
    const recordedTest = record.metrics.test;
    const correct = countCorrect(splits.test.labels, test.predictions.predicted);
    if (test.images !== recordedTest.images) problems.push(`${formatCount(test.images)} test images, recorded ${formatCount(recordedTest.images)}`);
    else if (!sameAccuracy(recordedTest.accuracy, correct, test.images))
      problems.push(`test accuracy ${formatPercent(test.accuracy)}, recorded ${formatPercent(recordedTest.accuracy)}`);
    let differing: number | undefined;
    if (record.testPredictions !== undefined) {
      const recordedPredictions = decodePredictions(record.testPredictions);
      if (recordedPredictions.length === test.predictions.predicted.length) {
        differing = 0;
        for (let i = 0; i < recordedPredictions.length; i++) if (recordedPredictions[i] !== test.predictions.predicted[i]) differing++;
        if (differing > 0) problems.push(`${formatCount(differing)} test predictions differ from the record's`);
      }
    }
    const lossDiff = Math.abs(test.loss - recordedTest.loss);
    if (lossDiff > LOSS_TOLERANCE) problems.push(`test loss ${formatLoss(test.loss, 6)}, recorded ${formatLoss(recordedTest.loss, 6)}`);

    const validation = (await evaluate(model, splits.validation))!;
    const recordedVal = record.metrics.validation;
    const valCorrect = countCorrect(splits.validation.labels, validation.predictions.predicted);
    if (validation.images !== recordedVal.images || !sameAccuracy(recordedVal.accuracy, valCorrect, validation.images))
      problems.push(
        `validation accuracy ${formatPercent(validation.accuracy)} on ${formatCount(validation.images)} images, ` +
          `recorded ${formatPercent(recordedVal.accuracy)} on ${formatCount(recordedVal.images)}`,
      );

    const lines = [
      `${dir}: ${formatCount(parameters)} parameters (recorded ${formatCount(record.parameters)})`,
      `test, ${formatCount(test.images)} images: accuracy ${formatPercent(test.accuracy)} (${formatCount(correct)} correct; recorded ` +
        `${formatPercent(recordedTest.accuracy)}), loss ${formatLoss(test.loss, 6)} ` +
        `(recorded ${formatLoss(recordedTest.loss, 6)}, difference ${lossDiff.toExponential(1)}), ` +
        (differing === undefined
          ? "no recorded predictions to compare"
          : `${formatCount(differing)} of ${formatCount(test.images)} predictions differ from the record's`),
      `validation, ${formatCount(validation.images)} images: accuracy ${formatPercent(validation.accuracy)} (${formatCount(valCorrect)} correct; ` +
        `recorded ${formatPercent(recordedVal.accuracy)}), loss ${formatLoss(validation.loss, 6)} (recorded ${formatLoss(recordedVal.loss, 6)})`,
    ];
    return problems.length ? fail(`the weights do not give the recorded results: ${problems.join("; ")}`, ...lines) : { name: "weights", ok: true, lines };
  } finally {
    model.dispose();
  }
}
