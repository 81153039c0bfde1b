import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ABLATIONS, ablationRunsBySeed, buildAblationResults, KERAS_DEFAULT_BATCH_SIZE } from "../../../src/lib/study/ablations.ts";
import { encodePredictions } from "../../../src/lib/study/predictions.ts";
import { parseRowId } from "../../../src/lib/study/row-id.ts";
import { runRecordSchema, type Protocol, type RunRecord } from "../../../src/lib/study/schema.ts";
import { FULL_PROTOCOL, ORIGINAL_STUDY } from "../../../src/lib/study/study.ts";

const base = JSON.parse(readFileSync(new URL("../../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8")) as RunRecord;

const B32 = "cnn-32-64-3-64-b32";
const LABELS = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
/** Predictions right on the first `k` of the ten images and wrong (label + 1) on the rest. */
const rightOn = (k: number) => Array.from(LABELS, (y, i) => (i < k ? y : (y + 1) % 10));

/** A record of `rowId` under `protocol` with `seed`, its test predictions right on the first `right` images. */
function record(rowId: string, protocol: Protocol, seed: number, right: number, epochs = protocol.epochs): RunRecord {
  const run = structuredClone(base);
  run.rowId = rowId;
  run.protocol = { ...protocol, seed };
  run.epochs = Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    loss: 0.5,
    accuracy: 0.8,
    valAccuracy: 0.9,
    seconds: 1,
    imagesPerSecond: 1,
  }));
  run.bestEpoch = 1;
  run.metrics.test.images = 10;
  run.metrics.test.accuracy = right / 10;
  run.testPredictions = encodePredictions(Uint8Array.from(rightOn(right)));
  return runRecordSchema.parse(run);
}
const b32Protocol: Protocol = { ...FULL_PROTOCOL, name: "custom", batchSize: KERAS_DEFAULT_BATCH_SIZE };

describe("ABLATIONS", () => {
  it("has each of the original's six ranked rows at batch 32 and resnet-3x64 without the stem pool, with their own ids", () => {
    const ranked = [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning].map((r) => r.id);
    expect(ABLATIONS.map((a) => a.id)).toEqual([...ranked.map((id) => `${id}-b32`), "resnet-3x64-nopool"]);
    for (const a of ABLATIONS) {
      expect(ranked).toContain(a.baseRowId);
      expect(parseRowId(a.id).config).toEqual(a.config);
    }
    const nopool = ABLATIONS.at(-1)!;
    expect(nopool.protocol).toEqual(FULL_PROTOCOL);
    expect(nopool.config).toMatchObject({ stemPool: false });
    expect(ABLATIONS[0].protocol).toEqual({ ...FULL_PROTOCOL, name: "custom", batchSize: 32 });
  });
});

describe("ablationRunsBySeed", () => {
  const ablation = ABLATIONS.find((a) => a.id === B32)!;
  it("keeps only full-length runs of the ablation's own protocol, one per seed", () => {
    const runs = [
      record(B32, b32Protocol, 2, 9),
      record(B32, b32Protocol, 1, 8),
      record(B32, b32Protocol, 3, 9, 3), // stopped after 3 of 10 epochs
      record(B32, { ...b32Protocol, epochs: 3, trainImages: 5400 }, 4, 9, 3), // a quick-length run
      record("cnn-32-64-3-64", FULL_PROTOCOL, 5, 9), // the base row
    ];
    expect([...ablationRunsBySeed(runs, ablation).keys()]).toEqual([1, 2]);
  });
});

describe("buildAblationResults", () => {
  it("compares an ablation with its base row seed by seed and loads labels only when a seed is paired", () => {
    let loads = 0;
    const load = () => (loads++, LABELS);
    const none = buildAblationResults([], load);
    expect(loads).toBe(0);
    expect(none).toHaveLength(ABLATIONS.length);
    expect(none[0].comparison.verdict).toBe("too-few-runs");
    expect(none[0].runs.seeds).toEqual([]);
    expect(none[0].command).toBe("npm run reproduce -- cnn-32-64-3-64-b32 --seeds 1,2,3");

    const runs = [
      record(B32, b32Protocol, 1, 10),
      record(B32, b32Protocol, 2, 9),
      record(B32, b32Protocol, 3, 10),
      ...[1, 2, 3].map((seed) => record("cnn-32-64-3-64", FULL_PROTOCOL, seed, 5)),
    ];
    const [result] = buildAblationResults(runs, load);
    expect(loads).toBe(1);
    expect(result.runs.seeds).toEqual([1, 2, 3]);
    expect(result.base.seeds).toEqual([1, 2, 3]);
    expect(result.runs.test!.mean).toBeCloseTo(29 / 30, 10);
    expect(result.comparison.pairs.map((p) => [p.seed, p.higherAccuracy, p.lowerAccuracy])).toEqual([
      [1, 1, 0.5],
      [2, 0.9, 0.5],
      [3, 1, 0.5],
    ]);
    // Differences 0.5, 0.4, 0.5: mean 0.4667, sd 0.0577, 95% t-interval 0.4667 ± 4.303 * 0.0577 / sqrt(3) = [0.324, 0.610].
    expect(result.comparison.difference!.mean).toBeCloseTo(1.4 / 3, 10);
    expect(result.comparison.difference!.ci95![0]).toBeCloseTo(0.3232, 3);
    expect(result.comparison.verdict).toBe("holds");
  });
});
