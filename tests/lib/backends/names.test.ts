import { describe, expect, it } from "vitest";
import { BACKEND_LABELS, BACKEND_NAMES, isBackendName, parseBackendChoice } from "../../../src/lib/backends/names.ts";

describe("backend names", () => {
  it("lists every backend once, fastest first, each with a label", () => {
    expect(BACKEND_NAMES).toEqual(["webgpu", "webgl", "wasm", "cpu"]);
    expect(Object.keys(BACKEND_LABELS).sort()).toEqual([...BACKEND_NAMES].sort());
  });

  it("reads ?backend= values: a backend or auto, nothing else", () => {
    for (const name of BACKEND_NAMES) expect(parseBackendChoice(name)).toBe(name);
    expect(parseBackendChoice("auto")).toBe("auto");
    expect(parseBackendChoice("WASM")).toBeUndefined();
    expect(parseBackendChoice("tensorflow")).toBeUndefined();
    expect(parseBackendChoice("")).toBeUndefined();
    expect(parseBackendChoice(null)).toBeUndefined();
    expect(isBackendName("auto")).toBe(false);
    expect(isBackendName(3)).toBe(false);
  });
});
