import { describe, expect, it } from "vitest";
import { describeProtocol, estimateRunSeconds } from "../../../src/lib/study/preset-text.ts";
import { PROTOCOL_PRESETS } from "../../../src/lib/study/study.ts";

describe("estimateRunSeconds", () => {
  it("counts training images × epochs at the speed, and evaluation three times faster", () => {
    // Smoke: 1,024 × 1 trained; 1,000 × 2 validation + 1,000 test evaluated.
    expect(estimateRunSeconds(PROTOCOL_PRESETS.smoke, 100)).toBeCloseTo(10.24 + 3000 / 300, 6);
    const hand = { trainImages: 600, epochs: 2, validationImages: 300, testImages: 300 };
    expect(estimateRunSeconds(hand, 60)).toBeCloseTo(1200 / 60 + 1200 / 180, 6);
  });
  it("refuses a speed that is not positive", () => {
    expect(() => estimateRunSeconds(PROTOCOL_PRESETS.quick, 0)).toThrow(/positive speed/);
    expect(() => estimateRunSeconds(PROTOCOL_PRESETS.quick, Number.NaN)).toThrow(/positive speed/);
  });
});

describe("describeProtocol", () => {
  it("says what a preset trains", () => {
    expect(describeProtocol(PROTOCOL_PRESETS.smoke)).toBe("1,024 training images, 1 epoch, batch 64");
  });
});
