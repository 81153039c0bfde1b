import { describe, expect, it } from "vitest";
import { describeEstimate, describeProtocol, estimateRunSeconds } from "../../../src/lib/study/preset-text.ts";
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

describe("describeEstimate", () => {
  it("rounds seconds to 5 s (at least 5), minutes to whole minutes, hours to halves", () => {
    expect([0, 3, 12, 57, 58].map(describeEstimate)).toEqual(["about 5 s", "about 5 s", "about 10 s", "about 55 s", "about 1 min"]);
    expect([61, 44 * 60 + 40, 89 * 60].map(describeEstimate)).toEqual(["about 1 min", "about 45 min", "about 89 min"]);
    expect([90 * 60, 3 * 3600 + 600].map(describeEstimate)).toEqual(["about 1.5 h", "about 3 h"]);
  });
  it("refuses a duration that is not one", () => {
    expect(() => describeEstimate(-1)).toThrow(/duration/);
  });
});

describe("describeProtocol", () => {
  it("says what a preset trains", () => {
    expect(describeProtocol(PROTOCOL_PRESETS.smoke)).toBe("1,024 training images, 1 epoch, batch 64");
  });
});
