/**
 * The Grad-CAM worker: TensorFlow.js, the model and the test images live here, off the page's
 * main thread. All logic is in src/workers/gradcam/service.ts.
 */
import { expose } from "comlink";
import { useBackend } from "../../lib/backends/use-backend.ts";
import { createGradCamService } from "./service.ts";

const api = createGradCamService({
  fetch: (url) => fetch(url),
  useBackend,
  indexedDB: typeof indexedDB === "undefined" ? null : indexedDB,
});

expose(api);

export type Api = typeof api;
