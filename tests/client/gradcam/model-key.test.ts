import { describe, expect, it } from "vitest";
import { isShippedKey, keyFromParam, paramFromKey, parseModelKey, runKey, shippedKey, sourceForKey } from "../../../src/client/gradcam/model-key.ts";

describe("model keys", () => {
  it("build and read published and trained models' keys", () => {
    expect(shippedKey("cnn-32-64-3-64")).toBe("shipped:cnn-32-64-3-64");
    expect(runKey("r1:abc")).toBe("run:r1:abc");
    expect(parseModelKey("shipped:cnn-32-64-3-64")).toEqual({ kind: "shipped", rowId: "cnn-32-64-3-64" });
    expect(parseModelKey("run:r1:abc")).toEqual({ kind: "run", runId: "r1:abc" });
    expect(isShippedKey("shipped:x")).toBe(true);
    expect(isShippedKey("run:x")).toBe(false);
    expect(isShippedKey(null)).toBe(false);
  });

  it("map ?model= to a key: absent is the first published model, a published row its key, anything else a run", () => {
    const rows = ["cnn-32-64-3-64", "resnet-4x64"];
    expect(keyFromParam(null, rows)).toBe("shipped:cnn-32-64-3-64");
    expect(keyFromParam("", rows)).toBe("shipped:cnn-32-64-3-64");
    expect(keyFromParam(null, [])).toBeNull();
    expect(keyFromParam("resnet-4x64", rows)).toBe("shipped:resnet-4x64");
    expect(keyFromParam("my-run", rows)).toBe("run:my-run");
  });

  it("map a key back to ?model=, leaving the default out", () => {
    expect(paramFromKey("shipped:cnn-32-64-3-64", "shipped:cnn-32-64-3-64")).toBeNull();
    expect(paramFromKey(null, "shipped:cnn-32-64-3-64")).toBeNull();
    expect(paramFromKey("shipped:resnet-4x64", "shipped:cnn-32-64-3-64")).toBe("resnet-4x64");
    expect(paramFromKey("run:my-run", "shipped:cnn-32-64-3-64")).toBe("my-run");
  });

  it("load a published model from its URLs and any other from the reader's storage", () => {
    const shipped = [{ rowId: "cnn-32-64-3-64", label: "CNN", modelPath: "data/models/cnn/model.json", runPath: null }];
    const resolve = (path: string) => `https://x.test/fm/${path}`;
    expect(sourceForKey("shipped:cnn-32-64-3-64", shipped, resolve)).toEqual({
      kind: "url",
      url: "https://x.test/fm/data/models/cnn/model.json",
      runUrl: undefined,
    });
    expect(sourceForKey("run:my-run", shipped, resolve)).toEqual({ kind: "stored", runId: "my-run" });
  });
});
