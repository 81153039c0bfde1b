import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildRerunPageData,
  comparisonHeads,
  comparisonNote,
  describeConfig,
  matchPreset,
  sameProtocolReference,
} from "../../../src/lib/study/rerun-reference.ts";
import { ORIGINAL_STUDY, PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";
import { runRecordSchema, type RunRecord } from "../../../src/lib/study/schema.ts";

const dir = new URL("../../fixtures/runs/", import.meta.url);
const runs: RunRecord[] = readdirSync(dir)
  .sort()
  .map((f) => runRecordSchema.parse(JSON.parse(readFileSync(new URL(f, dir), "utf8"))));

describe("buildRerunPageData", () => {
  const data = buildRerunPageData(ORIGINAL_STUDY, runs);

  it("covers all 32 grid rows with a description, and the three presets", () => {
    expect(Object.keys(data.rows)).toHaveLength(32);
    expect(data.rows["resnet-2x32"].description).toBe("ResNet: 2 residual blocks of 32 filters");
    expect(data.presets).toEqual(PROTOCOL_PRESETS);
  });

  it("carries the original study's validation accuracy, and its test numbers for the best model", () => {
    expect(data.rows["cnn-32-64-3-64"].original).toEqual({ valAccuracy: 0.9201 });
    expect(data.rows["resnet-3x64"].original?.test?.accuracy).toBe(0.9295);
    expect(data.rows["cnn-32-64-3-32"].original).toBeUndefined();
  });

  it("picks our run as the tuning table does: a full-protocol run over a better quick one", () => {
    const reproduced = data.rows["resnet-3x64"].reproduced!;
    expect(reproduced.protocol).toBe("full");
    expect(reproduced.valAccuracy).toBeCloseTo(0.91967, 4);
    expect(data.rows["cnn-32-64-5-32"].reproduced).toBeUndefined();
  });

  it("ignores readers' runs", () => {
    const reader = {
      ...runs[0],
      source: "reader" as const,
      runId: "reader-run",
      metrics: { ...runs[0].metrics, validation: { ...runs[0].metrics.validation, accuracy: 0.99 } },
    };
    const withReader = buildRerunPageData(ORIGINAL_STUDY, [...runs, reader]);
    expect(withReader.rows[runs[0].rowId].reproduced?.runId).not.toBe("reader-run");
  });
});

describe("describeConfig", () => {
  it("names the CNN's layers and the ResNet's blocks", () => {
    expect(describeConfig({ family: "cnn", conv1: 32, conv2: 64, kernel: 3, dense: 64 })).toBe("CNN: 32 then 64 filters, 3×3 kernels, 64 dense units");
    expect(describeConfig({ family: "resnet", blocks: 1, filters: 64 })).toBe("ResNet: 1 residual block of 64 filters");
  });
});

describe("a rerun is compared with our record of the same preset", () => {
  const data = buildRerunPageData(ORIGINAL_STUDY, runs);
  const { full, quick, smoke } = PROTOCOL_PRESETS;

  it("keeps each preset's best record per row", () => {
    const row = data.rows["resnet-3x64"];
    expect(row.byPreset?.full?.protocol).toBe("full");
    expect(row.byPreset?.quick?.protocol).toBe("quick");
    expect(row.byPreset?.quick?.valAccuracy).toBeCloseTo(0.9385, 4);
    // With the record's training speed (median over its epochs) and runtime, for the panel's time estimates.
    expect(row.byPreset?.quick?.imagesPerSecond).toBeGreaterThan(0);
    expect(row.byPreset?.quick?.runtime).toMatch(/^(node|browser)$/);
    expect(row.byPreset?.smoke).toBeUndefined();
    expect(data.rows["cnn-64-128-5-128"].byPreset).toEqual({ smoke: expect.objectContaining({ protocol: "smoke" }) });
    expect(data.rows["cnn-32-64-5-32"].byPreset).toBeUndefined();
  });
  it("takes a resumed record's speed and training time from the epochs on its own threads", () => {
    const base = runs.find((r) => r.runId.startsWith("resnet-3x64.quick"))!;
    const env = { ...base.environment, runtime: "node" as const, backend: "wasm" };
    // Epoch 1 on one thread at 40 img/s, epochs 2-3 on two at 70 img/s (the record's threads).
    const resumed: RunRecord = {
      ...base,
      environment: { ...env, wasmThreads: 2 },
      epochs: base.epochs.map((e, i) => ({ ...e, seconds: i === 0 ? 100 : 60, imagesPerSecond: i === 0 ? 40 : 70 })),
      resumedAfterEpoch: 1,
      pieces: [
        { afterEpoch: 0, startedAt: base.startedAt, environment: env },
        { afterEpoch: 1, startedAt: base.finishedAt, environment: { ...env, wasmThreads: 2 } },
      ],
    };
    expect(resumed.epochs).toHaveLength(3);
    const reference = buildRerunPageData(ORIGINAL_STUDY, [resumed]).rows["resnet-3x64"].byPreset?.quick;
    expect(reference).toMatchObject({ wasmThreads: 2, imagesPerSecond: 70, trainSeconds: 120, trainedImages: 2 * base.protocol.trainImages });
    // Without pieces every epoch counts as on the record's threads.
    const plain = buildRerunPageData(ORIGINAL_STUDY, [{ ...resumed, pieces: undefined }]).rows["resnet-3x64"].byPreset?.quick;
    expect(plain).toMatchObject({ imagesPerSecond: 70, trainSeconds: 220, trainedImages: 3 * base.protocol.trainImages });
  });
  it("gives a quick rerun our quick record, not the full one the row is otherwise shown with", () => {
    const row = data.rows["resnet-3x64"];
    expect(row.reproduced?.protocol).toBe("full");
    expect(sameProtocolReference(row, quick, data.presets)?.protocol).toBe("quick");
    expect(sameProtocolReference(row, full, data.presets)?.protocol).toBe("full");
  });
  it("gives nothing when we have no record of that preset, or the protocol is not a preset", () => {
    const row = data.rows["resnet-2x32"];
    expect(sameProtocolReference(row, quick, data.presets)?.protocol).toBe("quick");
    expect(sameProtocolReference(row, full, data.presets)).toBeUndefined();
    expect(sameProtocolReference(row, smoke, data.presets)).toBeUndefined();
    expect(sameProtocolReference(row, { ...quick, name: "custom", epochs: 2 }, data.presets)).toBeUndefined();
    expect(sameProtocolReference(undefined, quick, data.presets)).toBeUndefined();
  });
  it("does not count a record that carries a preset's name with other settings as that preset", () => {
    const fake = { ...runs.find((r) => r.protocol.name === "quick")!, runId: "fake", protocol: { ...quick, epochs: 2 } };
    fake.epochs = fake.epochs.slice(0, 2);
    const withFake = buildRerunPageData(ORIGINAL_STUDY, [fake]);
    expect(withFake.rows[fake.rowId].byPreset).toBeUndefined();
    expect(matchPreset({ ...quick, epochs: 2 }, PROTOCOL_PRESETS)).toBeUndefined();
    expect(matchPreset({ ...quick, seed: 7 }, PROTOCOL_PRESETS)).toBeUndefined();
    expect(matchPreset(smoke, PROTOCOL_PRESETS)).toBe("smoke");
  });
  it("names the protocol in every column head of ours and the reader's", () => {
    expect(comparisonHeads(quick)).toEqual({ mine: "Your rerun (quick)", ours: "Ours (quick)", original: "Original study (its full training)" });
    expect(comparisonHeads(full).ours).toBe("Ours (full)");
  });
  it("says 'same protocol as ours' only when ours is of the same preset", () => {
    const row = data.rows["resnet-3x64"];
    expect(comparisonNote(quick, sameProtocolReference(row, quick, data.presets), data.presets)).toMatch(
      /^Same protocol as ours \(quick: 5,400 training images, 3 epochs, 10,000 test images\).*expect lower numbers than the original study's\.$/,
    );
    expect(comparisonNote(full, undefined, data.presets)).toBe(
      "This site has no published full-protocol record of this row, so there is no number of ours to compare with.",
    );
    expect(comparisonNote(full, row.byPreset?.full, data.presets)).not.toMatch(/expect lower/);
  });
});
