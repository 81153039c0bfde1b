import { describe, expect, it } from "vitest";
import { currentView, initialState, searchFor, settlePicks } from "../../../src/client/gradcam/state.ts";
import type { GradCamView, ModelInfo } from "../../../src/workers/gradcam/service.ts";

const ROWS = ["cnn-32-64-3-64"];
const view = (layer: string) => ({ layer }) as GradCamView;

describe("Grad-CAM page state", () => {
  it("starts from the URL, noting what it cannot show", () => {
    const state = initialState(new URLSearchParams("target=3&backend=nope&model=my-run"), 10, ROWS);
    expect(state).toMatchObject({ target: 3, backend: "auto", modelKey: "run:my-run", defaultKey: "shipped:cnn-32-64-3-64", modelParam: "my-run" });
    expect([...state.urlProblems.keys()]).toEqual(["backend"]);
  });

  it("clamps the image to the test set and picks the deepest layer when none or an unknown one is picked", () => {
    const state = initialState(new URLSearchParams(), 10, ROWS);
    state.labels = new Uint8Array(5);
    state.info = { layers: ["conv1", "conv2"] } as ModelInfo;
    state.index = 9.7;
    settlePicks(state);
    expect(state).toMatchObject({ index: 4, layer: "conv2" });
    state.layer = "conv1";
    settlePicks(state);
    expect(state.layer).toBe("conv1");
  });

  it("shows the picked layer's view, else the first", () => {
    const state = initialState(new URLSearchParams(), 10, ROWS);
    state.views = [view("conv1"), view("conv2")];
    state.layer = "conv2";
    expect(currentView(state)?.layer).toBe("conv2");
    state.layer = "block9_out";
    expect(currentView(state)?.layer).toBe("conv1");
  });

  it("writes the URL with defaults left out and other parameters kept", () => {
    const state = initialState(new URLSearchParams("model=cnn-32-64-3-64&backend=wasm"), 10, ROWS);
    state.index = 12;
    state.layer = "conv2";
    expect(searchFor(state, new URLSearchParams("x=1&target=4&model=cnn-32-64-3-64")).toString()).toBe("x=1&image=12&layer=conv2&backend=wasm");
    state.target = 4;
    state.modelKey = "run:my-run";
    state.backend = "auto";
    expect(searchFor(state, new URLSearchParams("backend=wasm")).toString()).toBe("image=12&layer=conv2&target=4&model=my-run");
  });
});
