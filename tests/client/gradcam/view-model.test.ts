import { describe, expect, it } from "vitest";
import { computedStatus, describeModel, layerLabel, tileCaption, viewText } from "../../../src/client/gradcam/view-model.ts";
import type { GradCamView, ModelInfo } from "../../../src/workers/gradcam/service.ts";

const NAMES = ["T-shirt/top", "Trouser", "Pullover"];
const view = (over: Partial<GradCamView> = {}) =>
  ({
    index: 7,
    layer: "conv2",
    rawShape: [7, 7],
    label: 0,
    predicted: 2,
    targetClass: 2,
    probabilities: new Float32Array([0.2, 0.05, 0.75]),
    maxEvidence: 0.5,
    milliseconds: 10,
    ...over,
  }) as GradCamView;

describe("Grad-CAM view model", () => {
  it("names layers", () => {
    expect(layerLabel("conv1")).toBe("conv1 (first convolution)");
    expect(layerLabel("block2_out")).toBe("block2_out (output of residual block 2)");
    expect(layerLabel("other")).toBe("other");
  });

  it("words the main panels", () => {
    const text = viewText(view(), NAMES);
    expect(text).toMatchObject({
      imageCaption: "Test image #7",
      heatmapCaption: "Grad-CAM at conv2 (7×7) for “Pullover”",
      predicted: "Pullover",
      truth: "True class: T-shirt/top — misclassified",
      empty: false,
    });
    expect(text.top3.map((t) => t.text)).toEqual(["Pullover: 75.0%", "T-shirt/top: 20.0%", "Trouser: 5.0%"]);
    expect(viewText(view({ maxEvidence: 0 }), NAMES).empty).toBe(true);
    expect(tileCaption(view({ maxEvidence: 0 }))).toBe("conv2 (second convolution), 7×7: no positive evidence");
  });

  it("words the status line and the model line", () => {
    expect(computedStatus([view({ milliseconds: 10.4 }), view({ milliseconds: 20.2 })], "wasm")).toBe("2 maps in 31 ms on wasm (15 ms per map).");
    const info = { name: "CNN 32-64", parameters: 225034, backend: "wasm", backendChoice: "auto", backendNote: null, run: null } as unknown as ModelInfo;
    expect(describeModel(info, true, "")).toBe(
      "CNN 32-64 · 225,034 parameters · running on WebAssembly (picked automatically) · no run record was published with it",
    );
    expect(describeModel(info, false, " (note)")).toMatch(/trained by you in this browser \(note\)$/);
  });
});
