/**
 * scripts/check-record.ts on a tiny run made here: a 4-8 CNN trained one smoke epoch on 200 fake
 * images, its record and weights written as `npm run reproduce --save-model` writes them. The
 * genuine record passes; records altered so that only one check can notice fail that check.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../src/lib/backends/use-backend.ts";
import { confusionMatrix } from "../../src/lib/model/metrics.ts";
import { modelToFiles } from "../../src/lib/model/model-io.ts";
import { runRow } from "../../src/lib/model/run-row.ts";
import { decodePredictions, encodePredictions } from "../../src/lib/study/predictions.ts";
import { publishedRunSchema } from "../../src/lib/study/runs.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";
import { configFromRowId, PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";
import { checkPredictions, checkSchema, checkWeights, recordSplits, type OfficialSets } from "../../scripts/lib/check-record.ts";
import { readPreparedDataset } from "../../scripts/lib/read-prepared.ts";
import { makeFakeFiles, makeServed } from "../helpers/fake-fashion-mnist.ts";

const ROW = "cnn-4-8-3-16";
const root = mkdtempSync(join(tmpdir(), "check-record-"));
const dataDir = join(root, "data");
const modelsDir = join(root, "models");
let sets: OfficialSets;
let record: RunRecord;

/** A deep copy of the genuine record, to alter. */
const copy = (): RunRecord => structuredClone(record);

function writeRecord(name: string, value: unknown): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

function checkRecord(...args: string[]) {
  return spawnSync(process.execPath, ["scripts/check-record.ts", ...args, "--data", dataDir, "--models", modelsDir], {
    encoding: "utf8",
    timeout: 120_000,
  });
}

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  const { manifest, served } = makeServed(makeFakeFiles(200, 50, 3));
  for (const [name, bytes] of served) writeFileSync(join(dataDir, name), bytes);
  writeFileSync(join(dataDir, "manifest.json"), JSON.stringify(manifest));
  sets = await readPreparedDataset(dataDir);
  await useBackend("wasm");
  const { record: made, model } = await runRow({
    config: configFromRowId(ROW),
    protocol: PROTOCOL_PRESETS.smoke,
    trainSet: sets.train,
    testSet: sets.test,
    environment: { runtime: "node", backend: "wasm", tfjsVersion: "4.22.0" },
    source: "pipeline",
  });
  const files = await modelToFiles(model);
  model.dispose();
  mkdirSync(join(modelsDir, ROW), { recursive: true });
  writeFileSync(join(modelsDir, ROW, "model.json"), JSON.stringify(files.modelJson));
  writeFileSync(join(modelsDir, ROW, "weights.bin"), files.weights);
  record = { ...made!, modelPath: `models/${ROW}/model.json` };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("check-record", () => {
  it("passes a genuine record with its weights, printing the numbers it compared", () => {
    const run = checkRecord(writeRecord("genuine.json", record));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const accuracy = `${(record.metrics.test.accuracy * 100).toFixed(2)}%`;
    expect(run.stdout).toMatch(/ok {3}schema: valid run record .*row cnn-4-8-3-16, protocol smoke, seed 1/);
    expect(run.stdout).toMatch(/ok {3}predictions: 50 test predictions .* 100 of 100 cells equal/);
    expect(run.stdout).toContain(`accuracy ${accuracy}`);
    expect(run.stdout).toMatch(/ok {3}weights: .*cnn-4-8-3-16: [\d,]+ parameters/);
    expect(run.stdout).toContain("0 of 50 predictions differ from the record's");
    expect(run.stdout).toContain("1 of 1 record(s) passed every check.");
  });

  it("lists a resumed record's pieces, each with its threads and commit", () => {
    const env = record.environment;
    const minute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
    const resumed = {
      ...copy(),
      environment: { ...env, wasmThreads: 2 },
      resumedAfterEpoch: 1,
      pieces: [
        { afterEpoch: 0, startedAt: record.startedAt, environment: { ...env, commit: "0123456789ab" } },
        { afterEpoch: 1, startedAt: record.finishedAt, environment: { ...env, wasmThreads: 2 } },
      ],
    };
    const { result } = checkSchema(resumed);
    expect(result.ok).toBe(true);
    expect(result.lines[0]).toMatch(/wasm \(2 threads\)$/);
    expect(result.lines.slice(1)).toEqual([
      `  piece 1: epoch 1, from ${minute(record.startedAt)}: 1 wasm thread, commit 0123456789ab`,
      `  piece 2: the evaluation, from ${minute(record.finishedAt)}: 2 wasm threads`,
    ]);
  });

  it("fails a record whose matrix disagrees with its predictions cell by cell, though the schema's column counts agree", () => {
    // The tiny model predicts nearly one class, so give the record varied (consistent) predictions first.
    const altered = copy();
    const labels = recordSplits(altered, sets).test.labels;
    const predicted = Uint8Array.from(labels, (t, i) => (i % 2 ? t : (t + i) % 10));
    altered.testPredictions = encodePredictions(predicted);
    altered.metrics.test.confusionMatrix = confusionMatrix(labels, predicted, 10);
    altered.metrics.test.accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
    expect(checkPredictions(altered, labels).ok).toBe(true);
    const m = altered.metrics.test.confusionMatrix;
    // Move one count from cell [a][c] to [b][c] and one from [b][d] to [a][d]: every row sum (the
    // class supports) and every column sum (what the schema compares with the predictions) stays.
    const cells = m.flatMap((row, t) => row.map((n, p) => ({ t, p, n }))).filter((cell) => cell.n > 0);
    const first = cells[0];
    const second = cells.find((cell) => cell.t !== first.t && cell.p !== first.p);
    if (!second) throw new Error("fixture: the tiny model's predictions are too uniform to alter");
    m[first.t][first.p]--;
    m[second.t][first.p]++;
    m[second.t][second.p]--;
    m[first.t][second.p]++;
    expect(publishedRunSchema.safeParse(altered).success).toBe(true);
    const result = checkPredictions(altered, labels);
    expect(result.ok).toBe(false);
    expect(result.lines[0]).toBe("testPredictions do not reproduce the recorded test metrics");
    expect(result.lines[1]).toMatch(/96 of 100 cells equal to the recorded one$/);
  });

  it("fails a record whose test accuracy is not its predictions'", () => {
    const altered = copy();
    altered.metrics.test.accuracy = Math.min(1, altered.metrics.test.accuracy + 0.02);
    const result = checkPredictions(altered, recordSplits(altered, sets).test.labels);
    expect(result.ok).toBe(false);
    expect(result.lines[2]).toMatch(/recorded .* \(differs\)$/);
  });

  it("fails a consistent record whose weights predict one image otherwise", async () => {
    const altered = copy();
    const labels = recordSplits(altered, sets).test.labels;
    const predicted = decodePredictions(altered.testPredictions!);
    const p = predicted[0];
    const q = (p + 1) % 10;
    predicted[0] = q;
    altered.testPredictions = encodePredictions(predicted);
    const m = altered.metrics.test.confusionMatrix;
    m[labels[0]][p]--;
    m[labels[0]][q]++;
    altered.metrics.test.accuracy = m.reduce((s, row, t) => s + row[t], 0) / altered.metrics.test.images;
    expect(checkSchema(altered).result.ok).toBe(true);
    expect(checkPredictions(altered, labels).ok).toBe(true);
    const splits = recordSplits(altered, sets);
    const result = await checkWeights(altered, splits, modelsDir);
    expect(result.ok).toBe(false);
    expect(result.lines[0]).toMatch(/^the weights do not give the recorded results: .*1 test predictions differ from the record's/);
    expect(result.lines.join("\n")).toContain("1 of 50 predictions differ");
  });

  it("fails a record whose weights are not where its modelPath says, or not saved for its row", async () => {
    const splits = recordSplits(record, sets);
    const missing = await checkWeights({ ...copy(), modelPath: "models/elsewhere/model.json" }, splits, modelsDir);
    expect(missing.ok).toBe(false);
    expect(missing.lines[0]).toMatch(/^cannot load the weights: .*elsewhere/);
    const none = await checkWeights({ ...copy(), modelPath: undefined }, splits, modelsDir);
    expect(none.lines[0]).toMatch(/no modelPath/);
  });

  it("fails an invalid record without evaluating it, and exits 1 when any record fails", () => {
    const invalid = { ...copy(), rowId: "cnn-8-8-3-16" };
    const run = checkRecord(writeRecord("genuine-again.json", record), writeRecord("invalid.json", invalid));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL schema: not a valid run record[\s\S]*rowId: "cnn-8-8-3-16" does not match config/);
    expect(run.stdout).toContain("(predictions and weights not checked: the record is not valid)");
    expect(run.stdout).toContain("1 of 2 record(s) passed every check; 1 failed: do not publish them.");
  });
});
