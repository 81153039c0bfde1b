import { describe, expect, it } from "vitest";
import { describeChoice, speedOf } from "../../../src/client/rerun/choice-text.ts";
import type { RerunPageData, ReproducedReference } from "../../../src/lib/study/rerun-reference.ts";
import { describeEstimate, estimateRunSeconds } from "../../../src/lib/study/preset-text.ts";
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
    expect(choice.note).toBe("Times: at the speed of this site's own run (WebAssembly in Node); a GPU backend is often faster. The first run also downloads the dataset (about 31 MB).");
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

  it("refuses an empty list", () => {
    expect(() => describeChoice([], data, none)).toThrow(/no rows/);
  });
});
