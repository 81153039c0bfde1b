import { describe, expect, it } from "vitest";
import { checkBackendParam, checkImageParam, checkLayerParam, checkTargetParam } from "../../../src/client/gradcam/url-params.ts";

describe("checkImageParam", () => {
  it("uses a valid index, and image 0 when there is none, without a message", () => {
    expect(checkImageParam("17", 10_000)).toEqual({ value: 17 });
    expect(checkImageParam("9999", 10_000)).toEqual({ value: 9999 });
    expect(checkImageParam(null, 10_000)).toEqual({ value: 0 });
    expect(checkImageParam("", 10_000)).toEqual({ value: 0 });
  });
  it("says what was wrong with a bad index and which image is shown instead", () => {
    expect(checkImageParam("abc", 10_000)).toEqual({ value: 0, problem: "?image=abc is not an image number 0–9,999; showing image 0." });
    expect(checkImageParam("-5", 10_000)).toEqual({ value: 0, problem: "?image=-5 is not an image number 0–9,999; showing image 0." });
    expect(checkImageParam("2.5", 10_000).problem).toBe("?image=2.5 is not an image number 0–9,999; showing image 0.");
    expect(checkImageParam("10000", 10_000)).toEqual({ value: 9999, problem: "?image=10000 is past the last test image (9,999); showing image 9,999." });
  });
  it("cuts a very long value in the message", () => {
    expect(checkImageParam("x".repeat(100), 10_000).problem).toBe(`?image=${"x".repeat(40)}… is not an image number 0–9,999; showing image 0.`);
  });
});

describe("checkLayerParam", () => {
  const layers = ["conv1", "conv2"];
  it("uses a layer of the model, and the deepest when none is asked for", () => {
    expect(checkLayerParam("conv1", layers)).toEqual({ value: "conv1" });
    expect(checkLayerParam(null, layers)).toEqual({ value: "conv2" });
  });
  it("names the model's layers when the URL's is not one of them", () => {
    expect(checkLayerParam("block1_out", layers)).toEqual({
      value: "conv2",
      problem: "?layer=block1_out is not a layer of this model (conv1, conv2); showing conv2.",
    });
  });
});

describe("checkTargetParam", () => {
  it("uses a class number, and the predicted class when none is asked for", () => {
    expect(checkTargetParam("3", 10)).toEqual({ value: 3 });
    expect(checkTargetParam(null, 10)).toEqual({ value: null });
  });
  it("explains the predicted class instead of a class that does not exist", () => {
    expect(checkTargetParam("10", 10)).toEqual({ value: null, problem: "?target=10 is not a class number 0–9; explaining the predicted class." });
    expect(checkTargetParam("shirt", 10).problem).toMatch(/^\?target=shirt is not a class number/);
  });
});

describe("checkBackendParam", () => {
  it("uses a backend name or auto, and picks automatically for an unknown one", () => {
    expect(checkBackendParam("wasm")).toEqual({ value: "wasm" });
    expect(checkBackendParam(null)).toEqual({ value: "auto" });
    expect(checkBackendParam("gpu")).toEqual({
      value: "auto",
      problem: expect.stringMatching(/^\?backend=gpu is not a backend \(auto, .*wasm.*\); picking one automatically\.$/),
    });
  });
});
