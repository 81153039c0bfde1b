import { describe, expect, it } from "vitest";
import {
  describeEstimate,
  describeProtocolSize,
  formatAsPercent,
  formatCount,
  formatDateTime,
  formatDecimal,
  formatDuration,
  formatEta,
  formatLoss,
  formatMB,
  formatMilliseconds,
  formatP,
  formatPercent,
  formatPlural,
  formatPoints,
  formatPointsValue,
} from "../../src/lib/format.ts";

describe("number formats", () => {
  it("prints percentages with two decimals like the original study", () => {
    expect(formatPercent(0.9201)).toBe("92.01%");
    expect(formatPercent(0.944)).toBe("94.40%");
    expect(formatPercent(1)).toBe("100.00%");
    expect(() => formatPercent(Number.NaN)).toThrow(/finite/);
  });
  it("prints percentages with as many decimals as asked", () => {
    expect(formatPercent(0.1234, 1)).toBe("12.3%");
    expect(formatPercent(0.1, 1)).toBe("10.0%");
  });
  it("prints a number already in percent with the percent sign", () => {
    expect(formatAsPercent(92.01)).toBe("92.01%");
    expect(formatAsPercent(12.345, 1)).toBe("12.3%");
  });
  it("prints signed percentage-point differences with a true minus, and no minus on a zero", () => {
    expect(formatPoints(0.0125)).toBe("+1.25");
    expect(formatPoints(-0.004)).toBe("−0.40");
    expect(formatPoints(-0.00001)).toBe("+0.00");
  });
  it("prints unsigned percentage points", () => {
    expect(formatPointsValue(0.0033)).toBe("0.33");
    expect(formatPointsValue(0.01, 0)).toBe("1");
  });
  it("prints p-values with two significant digits, or < 0.001", () => {
    expect(formatP(0.0625)).toBe("0.063");
    expect(formatP(0.5)).toBe("0.50");
    expect(formatP(0.0002)).toBe("< 0.001");
  });
  it("prints statistics with fixed decimals and times in whole milliseconds", () => {
    expect(formatDecimal(1.959964, 2)).toBe("1.96");
    expect(formatDecimal(12.7062, 1)).toBe("12.7");
    expect(formatMilliseconds(41.7)).toBe("42 ms");
  });
  it("prints a protocol's size", () => {
    expect(describeProtocolSize({ trainImages: 5400, epochs: 3 })).toBe("5,400 training images, 3 epochs");
    expect(describeProtocolSize({ trainImages: 540, epochs: 1 })).toBe("540 training images, 1 epoch");
  });
  it("prints a date and time in the reader's locale", () => {
    const iso = "2026-12-07T06:05:00Z";
    expect(formatDateTime(iso)).toBe(new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
    expect(formatDateTime(Date.parse(iso))).toBe(formatDateTime(iso));
  });
  it("prints losses with four decimals, or as many as asked", () => {
    expect(formatLoss(0.1954)).toBe("0.1954");
    expect(formatLoss(0.19546, 3)).toBe("0.195");
    expect(() => formatLoss(Number.NaN)).toThrow(/finite/);
  });
  it("prints counts rounded, with comma thousands separators and no Intl", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(54_000)).toBe("54,000");
    expect(formatCount(1_234_567.6)).toBe("1,234,568");
    expect(formatCount(-54_000)).toBe("-54,000");
    expect(() => formatCount(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
  it("prints durations in seconds, minutes or hours", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(59.6)).toBe("1 min 0 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(3720)).toBe("1 h 2 min");
    expect(formatDuration(7199)).toBe("2 h 0 min");
    expect(formatDuration(-3)).toBe("0 s");
    expect(() => formatDuration(Number.NaN)).toThrow(/finite/);
  });
  it("prints an ETA as a duration, or -- while it is unknown", () => {
    expect(formatEta(185)).toBe("3 min 5 s");
    expect(formatEta(null)).toBe("--");
    expect(formatEta(undefined)).toBe("--");
    expect(formatEta(Number.NaN)).toBe("--");
  });
  it("prints bytes as decimal megabytes with one decimal", () => {
    expect(formatMB(26_421_880)).toBe("26.4 MB");
    expect(formatMB(0)).toBe("0.0 MB");
  });
  it("pluralises a counted noun", () => {
    expect(formatPlural(1, "epoch")).toBe("1 epoch");
    expect(formatPlural(3, "epoch")).toBe("3 epochs");
    expect(formatPlural(5400, "image")).toBe("5,400 images");
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
