import { describe, expect, it } from "vitest";
import { retryBackends } from "../../../src/client/rerun/failure-view.ts";
import type { BackendAssessment } from "../../../src/lib/backends/choice.ts";
import type { TrainerFailure } from "../../../src/workers/trainer/failure.ts";

const assess = (backend: BackendAssessment["backend"], available: boolean) =>
  ({ backend, available, software: false, reason: "r" }) as unknown as BackendAssessment;
const assessments = [assess("webgpu", false), assess("webgl", true), assess("wasm", true), assess("cpu", true)];
const failure = (over: Partial<TrainerFailure>): TrainerFailure => ({ kind: "out-of-memory", message: "m", detail: "d", retryOnOtherBackend: true, ...over });

describe("failure alert's retry backends", () => {
  it("offers every other available backend when another might work", () => {
    expect(retryBackends(failure({ backend: "webgl" }), assessments, "webgl")).toEqual(["wasm", "cpu"]);
  });
  it("falls back to the active backend when the failure names none", () => {
    expect(retryBackends(failure({}), assessments, "wasm")).toEqual(["webgl", "cpu"]);
  });
  it("offers none when another backend would not help", () => {
    expect(retryBackends(failure({ kind: "dataset-download", retryOnOtherBackend: false }), assessments, "wasm")).toEqual([]);
  });
});
