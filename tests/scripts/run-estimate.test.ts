import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEstimator, WASM_BENCHMARK, wasmThreadSpeedup } from "../../scripts/lib/run-estimate.ts";
import { forwardMacsPerImage } from "../../src/lib/model/model-cost.ts";
import type { LoadedRun } from "../../src/lib/study/runs.ts";
import type { RunRecord } from "../../src/lib/study/schema.ts";
import { configFromRowId, PROTOCOL_PRESETS } from "../../src/lib/study/study.ts";

const full = PROTOCOL_PRESETS.full;
const fixture = JSON.parse(readFileSync(new URL("../fixtures/runs/cnn-32-64-3-64.full.fixture-23.json", import.meta.url), "utf8")) as RunRecord;

/**
 * A full-protocol record (10 epochs of 54,000 images, each validated on 6,000; final evaluations of
 * 6,000 + 10,000 + 20,000 images: 96,000 evaluated) whose epochs took `epochSeconds` each and whose
 * other work took `otherSeconds`.
 */
function record(row: string, epochSeconds: number, otherSeconds: number, env: Partial<RunRecord["environment"]> = {}): LoadedRun {
  const run: RunRecord = {
    ...fixture,
    rowId: row,
    config: configFromRowId(row),
    epochs: fixture.epochs.map((e) => ({ ...e, seconds: epochSeconds })),
    wallTimeSeconds: 10 * epochSeconds + otherSeconds,
    environment: { ...fixture.environment, ...env },
  };
  return { file: `${row}.full.json`, run };
}

const onWasm = (threads = 1) => ({ backend: "wasm", wasmThreads: threads, evaluateTrain: true });
/** A full run's minutes at `train` s per training image and `other` s per evaluated image (130,000 with train). */
const fullRunMinutes = (train: number, other: number) => (540_000 * train + 130_000 * other) / 60;

describe("run estimates", () => {
  it("takes the speed-up of two threads from docs/wasm.md and extrapolates it by Amdahl's law", () => {
    expect(wasmThreadSpeedup("cnn", 1)).toBeCloseTo(1, 12);
    expect(wasmThreadSpeedup("resnet", 2)).toBeCloseTo(WASM_BENCHMARK.resnet.train[2] / WASM_BENCHMARK.resnet.train[1], 12);
    const s4 = wasmThreadSpeedup("resnet", 4);
    expect(s4).toBeGreaterThan(wasmThreadSpeedup("resnet", 2));
    expect(s4).toBeLessThan(4);
    expect(wasmThreadSpeedup("cnn", 4)).toBeLessThan(s4); // the CNN gained less from a second thread
  });

  it("scales a row's own record to the run's images: training and evaluation separately", () => {
    // 540 s of training over 540,000 images, 96 s over 96,000 evaluated: 1 ms each.
    const estimate = createEstimator([record("cnn-32-64-3-64", 54, 96)], onWasm())("cnn-32-64-3-64", full);
    expect(estimate.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(estimate).toMatchObject({ backend: "wasm", wasmThreads: 1 });
    expect(estimate.basis).toMatch(/^the fastest of 1 record\(s\) of cnn-32-64-3-64: cnn-32-64-3-64\.full\.json \(1\.00 ms per training image/);
    const quick = createEstimator([record("cnn-32-64-3-64", 54, 96)], { ...onWasm(), evaluateTrain: false })("cnn-32-64-3-64", PROTOCOL_PRESETS.quick);
    // 3 x 5,400 trained, 3 x 6,000 + 6,000 + 10,000 evaluated.
    expect(quick.minutes).toBeCloseTo((16_200 * 0.001 + 34_000 * 0.001) / 60, 1);
  });

  it("takes the fastest of a row's records, converting records and the target to their wasm threads", () => {
    const s2 = wasmThreadSpeedup("cnn", 2);
    const runs = [record("cnn-32-64-3-64", 108, 192), record("cnn-32-64-3-64", 54 / s2, 96 / s2, { wasmThreads: 2 })];
    const estimate = createEstimator(runs, onWasm(1));
    // The 2-thread record is 1 ms per image on one thread, twice as fast as the other.
    expect(estimate("cnn-32-64-3-64", full).minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(estimate("cnn-32-64-3-64", full).basis).toMatch(/fastest of 2 .*converted from 2 wasm threads/);
    const four = createEstimator(runs, onWasm(4))("cnn-32-64-3-64", full);
    expect(four.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001) / wasmThreadSpeedup("cnn", 4), 1);
    expect(four).toMatchObject({ wasmThreads: 4 });
    expect(four.basis).toMatch(/for 4 wasm threads .*extrapolated/);
  });

  it("estimates a -b<N> row without records from its base row, saying so", () => {
    const estimate = createEstimator([record("resnet-3x64", 54, 96)], onWasm())("resnet-3x64-b32", { ...full, batchSize: 32, name: "custom" });
    expect(estimate.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(estimate.basis).toMatch(/its base row resnet-3x64 \(trained at batch 64, batch 32's own effect not counted\)/);
  });

  it("scales a record of the same family by multiply-accumulates when the row has none", () => {
    const runs = [record("resnet-3x64", 54, 96), record("resnet-2x32", 54, 96), record("cnn-32-64-3-64", 5.4, 9.6)];
    const estimate = createEstimator(runs, onWasm())("resnet-3x64-nopool", full);
    // resnet-3x64 spends less per MAC than resnet-2x32 at the same time per image.
    const ratio = forwardMacsPerImage(configFromRowId("resnet-3x64-nopool")) / forwardMacsPerImage(configFromRowId("resnet-3x64"));
    expect(ratio).toBeGreaterThan(3.5);
    expect(estimate.minutes).toBeCloseTo(fullRunMinutes(0.001 * ratio, 0.001 * ratio), 0);
    expect(estimate.basis).toMatch(/^no record of resnet-3x64-nopool; .*among 2 row\(s\) with records, resnet-3x64\.full\.json/);
  });

  it("falls back to docs/wasm.md's benchmark on wasm, and to no estimate on a backend without records", () => {
    const cnn = createEstimator([], onWasm())("cnn-32-64-3-64", full);
    expect(cnn.minutes).toBeCloseTo(fullRunMinutes(1 / WASM_BENCHMARK.cnn.train[1], 1 / WASM_BENCHMARK.cnn.inference[1]), 1);
    expect(cnn.basis).toMatch(/docs\/wasm\.md's one-thread benchmark of cnn-32-64-3-64/);
    const gpu = createEstimator([record("resnet-3x64", 54, 96)], { backend: "webgpu", wasmThreads: 4, evaluateTrain: true })("resnet-3x64", full);
    expect(gpu).toEqual({ minutes: null, backend: "webgpu", basis: "no record of the resnet family on webgpu to base an estimate on" });
    const fromGpu = createEstimator([record("resnet-3x64", 5.4, 9.6, { backend: "webgpu" })], { backend: "webgpu", wasmThreads: 1, evaluateTrain: true });
    expect(fromGpu("resnet-3x64", full).minutes).toBeCloseTo(fullRunMinutes(0.0001, 0.0001), 1);
    expect(fromGpu("resnet-3x64", full)).not.toHaveProperty("wasmThreads");
  });

  it("takes a one-thread Node record's processor time where it measured it: time spent waiting for a core is left out", () => {
    // Epochs of 108 s of which 54 on the processor (another training beside it), other work 192 s of which 96.
    const busy = record("cnn-32-64-3-64", 108, 192);
    const withCpu = (run: RunRecord): RunRecord => ({ ...run, epochs: run.epochs.map((e) => ({ ...e, cpuSeconds: 54 })), cpuSeconds: 540 + 96 });
    const measured = { ...busy, run: withCpu(busy.run) };
    const estimate = createEstimator([measured], onWasm())("cnn-32-64-3-64", full);
    expect(estimate.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(estimate.basis).toMatch(/1\.00 ms per training image on one thread by processor time/);
    // Without the run's total, the rest is wall time; epochs measured in part count what they have.
    const partly = {
      ...busy,
      run: { ...withCpu(busy.run), cpuSeconds: undefined, epochs: busy.run.epochs.map((e, i) => (i < 5 ? { ...e, cpuSeconds: 54 } : e)) },
    };
    expect(createEstimator([partly], onWasm())("cnn-32-64-3-64", full).minutes).toBeCloseTo(fullRunMinutes(0.0015, 0.002), 1);
    // On two threads, processor time adds the threads up: wall time it is.
    const twoThreads = record("cnn-32-64-3-64", 54, 96, { wasmThreads: 2 });
    const twoMeasured = { ...twoThreads, run: { ...twoThreads.run, epochs: twoThreads.run.epochs.map((e) => ({ ...e, cpuSeconds: 100 })), cpuSeconds: 1200 } };
    const two = createEstimator([twoMeasured], onWasm(2))("cnn-32-64-3-64", full);
    expect(two.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(two.basis).not.toMatch(/processor time/);
  });

  it("converts each epoch of a resumed record by its own piece's threads", () => {
    // Epochs 1-5 on one thread (108 s, 54 on the processor: 1 ms per image), 6-10 on two (as fast
    // as 1 ms per image on one thread); the evaluations at the end on two, 96 s on one thread.
    const s = wasmThreadSpeedup("cnn", 2);
    const base = record("cnn-32-64-3-64", 0, 0);
    const oneThread = { ...base.run.environment, runtime: "node" as const, backend: "wasm", wasmThreads: undefined };
    const twoThreads = { ...oneThread, wasmThreads: 2 };
    const epochs = base.run.epochs.map((e, i) => (i < 5 ? { ...e, seconds: 108, cpuSeconds: 54 } : { ...e, seconds: 54 / s, cpuSeconds: 100 }));
    const run: RunRecord = {
      ...base.run,
      environment: twoThreads,
      epochs,
      wallTimeSeconds: 5 * 108 + (5 * 54) / s + 96 / s,
      cpuSeconds: 2000,
      resumedAfterEpoch: 5,
      pieces: [
        { afterEpoch: 0, startedAt: base.run.startedAt, environment: oneThread },
        { afterEpoch: 5, startedAt: base.run.finishedAt, environment: twoThreads },
      ],
    };
    const estimate = createEstimator([{ ...base, run }], onWasm())("cnn-32-64-3-64", full);
    expect(estimate.minutes).toBeCloseTo(fullRunMinutes(0.001, 0.001), 1);
    expect(estimate.basis).toMatch(/1\.00 ms per training image on one thread by processor time, converted from 2 wasm threads/);
    // Without its pieces the record reads as two threads throughout: its one-thread epochs would count as if twice as slow.
    expect(createEstimator([{ ...base, run: { ...run, pieces: undefined } }], onWasm())("cnn-32-64-3-64", full).minutes).toBeGreaterThan(
      fullRunMinutes(0.0015, 0.001),
    );
  });

  it("learns nothing from a reader's rerun", () => {
    const rerun = record("cnn-32-64-3-64", 1, 1);
    rerun.run.source = "reader";
    expect(createEstimator([rerun], onWasm())("cnn-32-64-3-64", full).basis).toMatch(/benchmark/);
  });
});
