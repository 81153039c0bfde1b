import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  isBetterRun,
  isFullProtocolRun,
  parseRunRecord,
  runPreset,
  selectBestRuns,
  selectDetailRun,
  selectRowRuns,
  type LoadedRun,
  elapsedSeconds,
  idleTrainSeconds,
  cpuSecondsToShow,
  cpuTimeIsIdleTime,
  epochEnvironments,
  pieceSpans,
  describePieces,
} from "../../../src/lib/study/runs.ts";
import type { RunRecord } from "../../../src/lib/study/schema.ts";
import { decodePredictions, encodePredictions } from "../../../src/lib/study/predictions.ts";

const fixtureFrom = (dir: string, name: string): RunRecord =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${dir}/${name}`, import.meta.url), "utf8")) as RunRecord;
const fixture = (name: string): RunRecord => fixtureFrom("runs", name);
const full = fixture("resnet-3x64.full.fixture-20.json");
const quick = fixture("resnet-3x64.quick.fixture-21.json");

describe("parseRunRecord", () => {
  it("accepts a valid record", () => {
    expect(parseRunRecord(full, "a.json").rowId).toBe("resnet-3x64");
  });
  it("names the file and the field of an invalid value", () => {
    const bad = structuredClone(full);
    bad.metrics.test.accuracy = 1.5;
    expect(() => parseRunRecord(bad, "public/data/runs/bad.json")).toThrow(/Invalid run record public\/data\/runs\/bad\.json:\n\s+metrics\.test\.accuracy: /);
  });
  it("names a missing field", () => {
    const { protocol: _, ...bad } = structuredClone(full);
    expect(() => parseRunRecord(bad, "x.json")).toThrow(/x\.json:\n\s+protocol: /);
  });
  it("rejects a row id that does not match the configuration", () => {
    expect(() => parseRunRecord({ ...full, rowId: "resnet-4x64" }, "x.json")).toThrow(/rowId: "resnet-4x64".*"resnet-3x64"/);
  });
  it("rejects a kept epoch that was never recorded", () => {
    expect(() => parseRunRecord({ ...full, bestEpoch: 99 }, "x.json")).toThrow(/bestEpoch: 99/);
  });
  it("accepts test predictions that agree with the test confusion matrix, and names those that do not", () => {
    const seeded = fixtureFrom("runs-seeds", "cnn-32-64-3-64.full.seed-2.fixture-12.json");
    expect(parseRunRecord(seeded, "s.json").testPredictions).toHaveLength(13_336);
    const predicted = decodePredictions(seeded.testPredictions!);
    predicted[0] = (predicted[0] + 1) % 10;
    expect(() => parseRunRecord({ ...seeded, testPredictions: encodePredictions(predicted) }, "s.json")).toThrow(
      /s\.json:\n\s+testPredictions: \d+ predictions of class \d, but the test confusion matrix counts \d+/,
    );
    expect(() => parseRunRecord({ ...seeded, testPredictions: "AAAA" }, "s.json")).toThrow(/testPredictions: holds 3 predictions for 10000 test images/);
    expect(() => parseRunRecord({ ...seeded, testPredictions: "AA A" }, "s.json")).toThrow(/testPredictions: expected base64/);
  });
});

describe("selectBestRuns", () => {
  it("prefers a full-protocol run over a better quick one", () => {
    expect(quick.metrics.validation.accuracy).toBeGreaterThan(full.metrics.validation.accuracy);
    expect(isBetterRun(full, quick)).toBe(true);
    expect(isBetterRun(quick, full)).toBe(false);
  });
  it("prefers the higher validation accuracy under the same protocol", () => {
    const better = structuredClone(full);
    better.metrics.validation.accuracy = full.metrics.validation.accuracy + 0.01;
    expect(isBetterRun(better, full)).toBe(true);
  });
  it("prefers the protocol's own seed to a luckier other seed, so a row does not show its best of several seeds", () => {
    const seed2 = structuredClone(full);
    seed2.protocol = { ...full.protocol, seed: 2 };
    seed2.metrics.validation.accuracy = full.metrics.validation.accuracy + 0.01;
    expect(full.protocol.seed).toBe(1);
    // Another seed of the full protocol is a full-protocol run all the same.
    expect(isFullProtocolRun(seed2)).toBe(true);
    expect(isFullProtocolRun({ ...seed2, protocol: { ...seed2.protocol, splitSeed: 7 } })).toBe(false);
    expect(isBetterRun(full, seed2)).toBe(true);
    expect(isBetterRun(seed2, full)).toBe(false);
    // Between two other seeds, the higher validation accuracy still decides.
    const seed3 = structuredClone(seed2);
    seed3.protocol = { ...full.protocol, seed: 3 };
    seed3.metrics.validation.accuracy = seed2.metrics.validation.accuracy + 0.01;
    expect(isBetterRun(seed3, seed2)).toBe(true);
  });
  it("keeps one run per row", () => {
    const runs: LoadedRun[] = [
      { file: "q.json", run: quick },
      { file: "f.json", run: full },
    ];
    const best = selectBestRuns(runs);
    expect([...best.keys()]).toEqual(["resnet-3x64"]);
    expect(best.get("resnet-3x64")?.file).toBe("f.json");
  });
});

describe("selectDetailRun", () => {
  const loaded = (run: RunRecord, file = "f.json"): LoadedRun => ({ file, run }) as LoadedRun;
  const cnnFull: RunRecord = { ...structuredClone(full), rowId: "cnn-32-64-3-64" };
  it("uses the original's best row when it has a full-protocol run", () => {
    const runs = new Map([
      ["resnet-3x64", loaded(full)],
      ["cnn-32-64-3-64", loaded(cnnFull)],
    ]);
    expect(selectDetailRun(runs, "resnet-3x64")?.run).toBe(full);
  });
  it("falls back to the best full-protocol run of another row when the best row has only a quick run", () => {
    const runs = new Map([
      ["resnet-3x64", loaded(quick)],
      ["cnn-32-64-3-64", loaded(cnnFull)],
    ]);
    expect(selectDetailRun(runs, "resnet-3x64")?.run).toBe(cnnFull);
  });
  it("never picks an ablation row's full-protocol run (resnet-3x64-nopool) for the figures", () => {
    const nopool: RunRecord = {
      ...structuredClone(full),
      rowId: "resnet-3x64-nopool",
      metrics: { ...full.metrics, validation: { ...full.metrics.validation, accuracy: 0.99 } },
    };
    const runs = new Map([
      ["resnet-3x64", loaded(quick)],
      ["resnet-3x64-nopool", loaded(nopool)],
      ["cnn-32-64-3-64", loaded(cnnFull)],
    ]);
    expect(selectDetailRun(runs, "resnet-3x64")?.run).toBe(cnnFull);
  });
  it("uses the best row's quick run when no full-protocol run exists", () => {
    expect(selectDetailRun(new Map([["resnet-3x64", loaded(quick)]]), "resnet-3x64")?.run).toBe(quick);
    expect(selectDetailRun(new Map(), "resnet-3x64")).toBeUndefined();
  });
});

describe("protocol of a run", () => {
  const smoke = fixture("cnn-64-128-5-128.smoke.fixture-24.json");
  it("names the preset a run followed setting for setting and epoch for epoch", () => {
    expect([full, quick, smoke].map(runPreset)).toEqual(["full", "quick", "smoke"]);
    expect(isFullProtocolRun(full)).toBe(true);
    expect(isFullProtocolRun(quick)).toBe(false);
  });
  it("does not call a run full when its settings or its epochs fall short of the full protocol", () => {
    expect(isFullProtocolRun({ ...full, protocol: { ...full.protocol, trainImages: 5_400 } })).toBe(false);
    expect(isFullProtocolRun({ ...full, epochs: full.epochs.slice(0, 3), bestEpoch: 3 })).toBe(false);
    expect(runPreset({ ...full, protocol: { ...full.protocol, name: "custom" } })).toBeUndefined();
  });
  it("prefers a quick run over a better smoke one, and a full-named run only when it is the full protocol", () => {
    const betterSmoke = { ...smoke, metrics: { ...smoke.metrics, validation: { ...smoke.metrics.validation, accuracy: 0.99 } } };
    expect(isBetterRun(quick, betterSmoke)).toBe(true);
    const shortFull = { ...full, epochs: full.epochs.slice(0, 3), bestEpoch: 3, metrics: betterSmoke.metrics };
    expect(isBetterRun(full, shortFull)).toBe(true);
  });
  it("splits each row's runs into its best full-protocol run and its best preliminary run", () => {
    const loaded = (run: RunRecord, file: string): LoadedRun => ({ run, file });
    const rows = selectRowRuns([loaded(quick, "q.json"), loaded(full, "f.json"), loaded(smoke, "s.json")]);
    expect(rows.get("resnet-3x64")).toEqual({ full: loaded(full, "f.json"), preliminary: loaded(quick, "q.json") });
    expect(rows.get(smoke.rowId)).toEqual({ preliminary: loaded(smoke, "s.json") });
    expect(rows.has("resnet-2x32")).toBe(false);
  });
});

describe("idleTrainSeconds", () => {
  const withEpochs = (environment: Partial<RunRecord["environment"]>, cpu: (number | undefined)[]): RunRecord => ({
    ...full,
    environment: { ...full.environment, ...environment },
    epochs: cpu.map((cpuSeconds, i) => ({ ...full.epochs[0], epoch: i + 1, seconds: 100, ...(cpuSeconds !== undefined ? { cpuSeconds } : {}) })),
  });
  it("counts a one-thread Node run's epochs by processor time where measured, never above their wall time", () => {
    expect(idleTrainSeconds(withEpochs({ runtime: "node", backend: "wasm" }, [60, undefined, 130]))).toBe(60 + 100 + 100);
    expect(idleTrainSeconds(withEpochs({ runtime: "node", backend: "cpu" }, [60, 70]))).toBe(130);
  });
  it("counts wall time on several threads, on a GPU and in a browser", () => {
    expect(idleTrainSeconds(withEpochs({ runtime: "node", backend: "wasm", wasmThreads: 2 }, [60, 60]))).toBe(200);
    expect(idleTrainSeconds(withEpochs({ runtime: "node", backend: "webgpu" }, [60, 60]))).toBe(200);
    expect(idleTrainSeconds(withEpochs({ runtime: "browser", backend: "wasm" }, [60, 60]))).toBe(200);
  });
});

describe("a resumed run's pieces", () => {
  const node = { ...full.environment, runtime: "node" as const, backend: "wasm" };
  const piece = (afterEpoch: number, environment: Partial<RunRecord["environment"]> = {}) => ({
    afterEpoch,
    startedAt: new Date(Date.UTC(2026, 11, 1 + afterEpoch, 10)).toISOString(),
    environment: { ...node, ...environment },
  });
  // Ten epochs of 100 s, 60 s of them on the processor: epochs 1-4 on one thread, 5-10 on two.
  const resumed = (pieces: ReturnType<typeof piece>[]): RunRecord => ({
    ...full,
    environment: pieces.at(-1)!.environment,
    resumedAfterEpoch: pieces.at(-1)!.afterEpoch,
    pieces,
    epochs: Array.from({ length: 10 }, (_, i) => ({ ...full.epochs[0], epoch: i + 1, seconds: 100, cpuSeconds: 60 })),
  });
  const mixed = resumed([piece(0, { commit: "aaaaaaaaaaaa" }), piece(4, { wasmThreads: 2, commit: "bbbbbbbbbbbb" })]);

  it("validates: from epoch 0, ever later, the last where the run resumed, two at least", () => {
    expect(parseRunRecord(mixed, "mixed.json").pieces).toHaveLength(2);
    const failure =
      (pieces: ReturnType<typeof piece>[], resumedAfterEpoch = pieces.at(-1)!.afterEpoch) =>
      () =>
        parseRunRecord({ ...mixed, pieces, resumedAfterEpoch }, "bad.json");
    expect(failure([piece(1), piece(4)])).toThrow(/pieces: pieces must begin after epochs 0, then ever later ones \(got 1, 4\)/);
    expect(failure([piece(0), piece(4), piece(4)])).toThrow(/got 0, 4, 4/);
    expect(failure([piece(0), piece(4)], 5)).toThrow(/the last piece begins after epoch 4, but resumedAfterEpoch is 5/);
    expect(failure([piece(0)])).toThrow(/pieces/);
  });
  it("gives each epoch its piece's environment, or the record's when there are no pieces", () => {
    expect(epochEnvironments(mixed).map((e) => e.wasmThreads ?? 1)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expect(epochEnvironments({ ...mixed, pieces: undefined }).map((e) => e.wasmThreads)).toEqual(Array(10).fill(2));
  });
  it("spans each piece's epochs; a piece resumed after the last epoch trained none", () => {
    expect(pieceSpans(mixed).map(({ firstEpoch, lastEpoch }) => [firstEpoch, lastEpoch])).toEqual([
      [1, 4],
      [5, 10],
    ]);
    const evaluateOnly = resumed([piece(0), piece(4), piece(10)]);
    expect(pieceSpans(evaluateOnly).map(({ firstEpoch, lastEpoch }) => [firstEpoch, lastEpoch])).toEqual([
      [1, 4],
      [5, 10],
      [11, 10],
    ]);
    expect(pieceSpans(full)).toEqual([]);
  });
  it("describes each piece's epochs, start, threads, machine where it differs, and commit", () => {
    expect(describePieces(mixed)).toEqual([
      "epochs 1–4, from 2026-12-01 10:00 UTC: 1 wasm thread, commit aaaaaaaaaaaa",
      "epochs 5–10 and the evaluation, from 2026-12-05 10:00 UTC: 2 wasm threads, commit bbbbbbbbbbbb",
    ]);
    const elsewhere = resumed([piece(0, { cores: 4, cpu: "Intel Xeon" }), piece(9), { ...piece(10), startedAt: "2026-12-09T08:30:00.000Z" }]);
    expect(describePieces(elsewhere)).toEqual([
      "epochs 1–9, from 2026-12-01 10:00 UTC: 1 wasm thread, 4 cores, Intel Xeon",
      "epoch 10, from 2026-12-10 10:00 UTC: 1 wasm thread",
      "the evaluation, from 2026-12-09 08:30 UTC: 1 wasm thread",
    ]);
    expect(describePieces(full)).toEqual([]);
  });
  it("counts processor time as idle time only in the one-thread pieces", () => {
    expect(idleTrainSeconds(mixed)).toBe(4 * 60 + 6 * 100);
    expect(idleTrainSeconds(resumed([piece(0, { wasmThreads: 2 }), piece(4)]))).toBe(4 * 100 + 6 * 60);
    expect(cpuTimeIsIdleTime(mixed)).toBe(false);
    expect(cpuTimeIsIdleTime(resumed([piece(0, { wasmThreads: 2 }), piece(4)]))).toBe(false);
    expect(cpuTimeIsIdleTime(resumed([piece(0), piece(4)]))).toBe(true);
  });
});

describe("cpuSecondsToShow", () => {
  const run = (environment: Partial<RunRecord["environment"]>, wallTimeSeconds: number, cpuSeconds?: number): RunRecord => ({
    ...full,
    environment: { ...full.environment, ...environment },
    wallTimeSeconds,
    ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
  });
  it("shows a one-thread Node run's processor time when it ran over a minute longer", () => {
    expect(cpuSecondsToShow(run({ runtime: "node", backend: "wasm" }, 7200, 3600))).toBe(3600);
    expect(cpuSecondsToShow(run({ runtime: "node", backend: "wasm" }, 3650, 3600))).toBeUndefined();
    expect(cpuSecondsToShow(run({ runtime: "node", backend: "wasm" }, 7200))).toBeUndefined();
    expect(cpuSecondsToShow(run({ runtime: "node", backend: "wasm", wasmThreads: 2 }, 7200, 3600))).toBeUndefined();
  });
});

describe("elapsedSeconds", () => {
  it("takes the record's elapsed time, or finishedAt − startedAt for a record written before it", () => {
    const run = { startedAt: "2026-12-04T19:52:30.077Z", finishedAt: "2026-12-04T22:25:05.919Z", wallTimeSeconds: 5071.72 } as RunRecord;
    expect(elapsedSeconds(run)).toBeCloseTo(9155.842, 3);
    expect(elapsedSeconds({ ...run, elapsedSeconds: 9155.84 })).toBe(9155.84);
  });

  it("keeps every published record valid, the resumed resnet-3x64 run with both times", () => {
    const published = JSON.parse(readFileSync(new URL("../../../public/data/runs/resnet-3x64.full.json", import.meta.url), "utf8"));
    const run = parseRunRecord(published, "resnet-3x64.full.json");
    expect(run).toMatchObject({ wallTimeSeconds: 5071.72, elapsedSeconds: 9155.84, resumedAfterEpoch: 3 });
    expect(elapsedSeconds(run)).toBeCloseTo((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000, 1);
  });
});
