/**
 * The rerun worker: trains a tuning-table row on the reader's machine off the main thread.
 * The api lives in src/workers/trainer/api.ts; this file only wires the browser's dependencies and exposes it.
 */
import { expose } from "comlink";
import { createBrowserTrainerDeps } from "./browser-deps.ts";
import { createTrainerApi } from "./api.ts";

export const api = createTrainerApi(createBrowserTrainerDeps());
export type Api = typeof api;
expose(api);
