import { describe, expect, it } from "vitest";
import { storedModelLabel } from "../../../src/client/gradcam/model-label.ts";

describe("storedModelLabel", () => {
  it("names the row, its preset, its test accuracy and when it finished", () => {
    const info = { runId: "cnn-32-64-3-32.smoke.x", rowId: "cnn-32-64-3-32", createdAt: "2026-11-24T10:00:00.000Z", protocol: "smoke", testAccuracy: 0.614 };
    expect(storedModelLabel(info, "24 Nov 2026, 10:00")).toBe("Your rerun: cnn-32-64-3-32 · Smoke · test 61.40% · 24 Nov 2026, 10:00");
  });
  it("keeps a custom protocol's name and leaves out what is not known", () => {
    expect(storedModelLabel({ runId: "r", rowId: "resnet-1x4", createdAt: "", protocol: "custom" }, "")).toBe("Your rerun: resnet-1x4 · custom");
    expect(storedModelLabel({ runId: "r", rowId: "resnet-1x4", createdAt: "" }, "")).toBe("Your rerun: resnet-1x4");
  });
});
