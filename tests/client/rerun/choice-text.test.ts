import { describe, expect, it } from "vitest";
import { describeChoice, speedOf } from "../../../src/client/rerun/choice-text.ts";
import type { RerunPageData, ReproducedReference } from "../../../src/lib/study/rerun-reference.ts";
import { describeEstimate } from "../../../src/lib/format.ts";
import { estimateRunSeconds } from "../../../src/lib/study/preset-text.ts";
import { PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";

const record = (protocol: string, imagesPerSecond?: number): ReproducedReference => ({
  runId: `r.${protocol}`,
  protocol,
  backend: "wasm",
  valAccuracy: 0.9,
  testAccuracy: 0.9,
  testLoss: 0.3,
  testF1: 0.9,
  imagesPerSecond,
  runtime: "node",
});

const data: RerunPageData = {
  presets: { ...PROTOCOL_PRESETS },
  rows: {
    a: { rowId: "a", description: "CNN a", byPreset: { quick: record("quick", 600), full: record("full", 400) } },
    b: { rowId: "b", description: "CNN b", reproduced: record("full", 200) },
    c: { rowId: "c", description: "CNN c" },
    // A page built before the records carried a speed.
    d: { rowId: "d", description: "CNN d", byPreset: { quick: record("quick") } },
  },
};
const none = new Map<string, number>();

describe("speedOf", () => {
  it("prefers this tab's run of the row, then our quick record, then any record with a speed", () => {
    expect(speedOf("a", data, new Map([["a", 321]]))).toEqual({ imagesPerSecond: 321, source: "yours" });
    expect(speedOf("a", data, none)).toEqual({ imagesPerSecond: 600, source: "ours", backend: "wasm", runtime: "node" });
    expect(speedOf("b", data, none)?.imagesPerSecond).toBe(200);
    expect(speedOf("c", data, none)).toBeNull();
    expect(speedOf("d", data, none)).toBeNull();
  });
});

describe("describeChoice", () => {
  it("words one row's choice with a time per preset at our record's speed", () => {
    const choice = describeChoice(["a"], data, none);
    expect(choice).toMatchObject({ title: "Rerun a", subtitle: "CNN a", startLabel: "Start", rowId: "a" });
    expect(choice.estimates).toEqual({
      full: describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.full, 600)),
      quick: describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.quick, 600)),
      smoke: describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.smoke, 600)),
    });
    // Smoke at 600 images/s: 1,024 / 600 + 3,000 / 1,800 ≈ 3.4 s.
    expect(choice.estimates.smoke).toBe("about 5 s");
    expect(choice.note).toBe(
      "Times: from the training time of this site's own runs of this row: Full, Quick and Smoke from its Quick run (WebAssembly in Node, 1 thread, epoch speed); " +
        "a GPU backend is often faster. The first run also downloads the dataset (about 31 MB); once training starts, the time left is measured.",
    );
  });

  it("uses this tab's own speed once the row has run here", () => {
    const choice = describeChoice(["a"], data, new Map([["a", 60]]));
    expect(choice.estimates.smoke).toBe(describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.smoke, 60)));
    expect(choice.note).toMatch(/^Times: at the speed of your last run of this row in this tab\./);
  });

  it("adds up the rows of a Rerun all, one Start for all of them", () => {
    const choice = describeChoice(["a", "b"], data, none);
    expect(choice).toMatchObject({ title: "Rerun 2 rows in turn", subtitle: "a … b, one at a time", startLabel: "Start 2 runs", rowId: undefined });
    const seconds = estimateRunSeconds(PROTOCOL_PRESETS.quick, 600) + estimateRunSeconds(PROTOCOL_PRESETS.quick, 200);
    expect(choice.estimates.quick).toBe(describeEstimate(seconds));
  });

  it("gives no times when a row's speed is unknown, and says why", () => {
    const choice = describeChoice(["a", "c"], data, none);
    expect(choice.estimates).toEqual({});
    expect(choice.note).toMatch(/^No time estimate: this site has no run of every one of these rows/);
    expect(describeChoice(["c"], data, none).note).toMatch(/^No time estimate: this site has no run of this row/);
  });

  it("takes each preset from our record of it by training time, scaled to the reader's threads, and says so", () => {
    const timed = (protocol: string, trainSeconds: number, trainedImages: number, wasmThreads?: number): ReproducedReference => ({
      ...record(protocol, 1),
      trainSeconds,
      trainedImages,
      ...(wasmThreads !== undefined ? { wasmThreads } : {}),
    });
    // Full: 540,000 images in 5,400 s on 2 threads (100 img/s); quick: 16,200 in 324 s on 1 (50 img/s, slower per thread).
    const rows = { r: { rowId: "r", description: "ResNet r", byPreset: { full: timed("full", 5_400, 540_000, 2), quick: timed("quick", 324, 16_200) } } };
    const page: RerunPageData = { presets: { ...PROTOCOL_PRESETS }, rows };
    const same = describeChoice(["r"], page, none, { threads: 2 });
    expect(same.estimates.full).toBe(describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.full, 100)));
    // Quick's own record is 50 img/s on 1 thread; the full record gives 100 / 2^0.7 = 61.6 per thread: the better evidence.
    expect(same.estimates.quick).toBe(describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.quick, 100)));
    expect(same.note).toMatch(
      /^Times: from the training time of this site's own runs of this row: Full, Quick and Smoke from its Full run \(WebAssembly in Node, 2 threads\); a GPU/,
    );
    expect(same.note).not.toMatch(/scaled/);
    const seven = describeChoice(["r"], page, none, { threads: 7 });
    expect(seven.estimates.full).toBe(describeEstimate(estimateRunSeconds(PROTOCOL_PRESETS.full, (100 / 2 ** 0.7) * 7 ** 0.7)));
    expect(seven.note).toMatch(/scaled to the 7 threads WebAssembly gets in this page; a GPU backend is often faster\./);
  });

  it("refuses an empty list", () => {
    expect(() => describeChoice([], data, none)).toThrow(/no rows/);
  });
});
