import { describe, expect, it } from "vitest";
import { formatCount, formatDuration, formatEta, formatLoss, formatMB, formatPercent, formatPlural } from "../../src/lib/format.ts";

describe("number formats", () => {
  it("prints percentages with two decimals like the original study", () => {
    expect(formatPercent(0.9201)).toBe("92.01%");
    expect(formatPercent(0.944)).toBe("94.40%");
    expect(formatPercent(1)).toBe("100.00%");
    expect(() => formatPercent(Number.NaN)).toThrow(/finite/);
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
