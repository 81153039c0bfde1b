/**
 * The rerun worker's api contract: what the page passes in (config, request, callbacks) and what
 * comes back (progress, backend selection, memory, outcome, exported model), all plain data; and
 * what the api needs from its surroundings ({@link TrainerDeps}).
 */
import type { BackendAssessment, BackendAttempt, BackendChoice, BackendName, BackendProbes } from "../../lib/backends/choice.ts";
import type { ImageSet } from "../../lib/data/splits.ts";
import type { RowPhase } from "../../lib/model/run-row.ts";
import type { BatchProgress } from "../../lib/model/train.ts";
import type { EpochRecord, Protocol, RunRecord } from "../../lib/study/schema.ts";
import type { TrainerFailure } from "./failure.ts";

/** Where the worker finds its files; the page derives both from its base URL. */
export interface TrainerConfig {
  /** Absolute URL of the served dataset folder, ending in "/" (…/data/fashion-mnist/). */
  dataUrl: string;
  /** Absolute URL of the folder holding tfjs-backend-wasm's .wasm files, ending in "/". */
  wasmPaths: string;
  /**
   * XNNPACK threads for wasm, fixed (the bench measures 1 thread against all cores); absent: the
   * worker's own count (thread-count.ts: every core but one when cross-origin isolated, else 1).
   */
  wasmThreads?: number;
}

/** Dataset loading progress. */
export interface DataProgress {
  stage: "manifest" | "download" | "decode" | "ready";
  /** Served bytes received or read from the cache so far. */
  bytes: number;
  /** Served bytes of the whole dataset (from the manifest; 0 before it is read). */
  totalBytes: number;
  /** Of `bytes`, those read from the browser's cache. */
  cachedBytes: number;
}

/** What was loaded and from where. */
export interface DataInfo {
  trainImages: number;
  testImages: number;
  /** Served (compressed) bytes of the four files. */
  servedBytes: number;
  /** Bytes that came from the browser's Cache API (the rest came over the network or HTTP cache). */
  cachedBytes: number;
  /** Seconds from the first request to parsed images. */
  seconds: number;
}

/** The dataset as the worker holds it. */
export interface LoadedData {
  train: ImageSet;
  test: ImageSet;
  info: DataInfo;
}

/** Facts about the machine that go into run records. */
export interface DeviceFacts {
  userAgent?: string;
  /** navigator.hardwareConcurrency. */
  cores?: number;
  platform?: string;
}

/** What the api needs from its surroundings (the browser in the worker, fakes in tests). */
export interface TrainerDeps {
  probeBackends(): Promise<BackendProbes>;
  /** Make `name` the active tfjs backend; throws with tfjs's reason when it cannot start. */
  activateBackend(name: BackendName, config: TrainerConfig): Promise<void>;
  /** Fetch, verify and parse the dataset; throws with a message naming the file on failure. */
  loadDataset(config: TrainerConfig, onProgress: (progress: DataProgress) => void): Promise<LoadedData>;
  deviceFacts(): DeviceFacts;
  /** Whether the active WebGL backend's context is lost (for classifying a failure). */
  isContextLost?(): boolean;
  /** XNNPACK threads of the running wasm backend (use-backend.ts's describeBackend); absent: not told. */
  wasmThreads?(): number | undefined;
  /** The worker's `crossOriginIsolated` (threads need it); absent: not told. */
  crossOriginIsolated?(): boolean;
}

/** The outcome of choosing a backend. */
export interface BackendSelection {
  /** The active backend, or null when none could start. */
  backend: BackendName | null;
  choice: BackendChoice;
  /** One paragraph for the reader: what was picked and why, what failed. */
  explanation: string;
  attempts: BackendAttempt[];
  assessments: BackendAssessment[];
  /** GPU or adapter description of the active backend, when it is a GPU backend. */
  device?: string;
  /** wasm only: XNNPACK threads it runs on ("WebAssembly, 7 threads"); 1 when the page is not cross-origin isolated. */
  wasmThreads?: number;
  /** Whether the worker is cross-origin isolated (wasm threads need it), when told. */
  crossOriginIsolated?: boolean;
  failure?: TrainerFailure;
}

/** tf.memory() of the worker, as plain data. */
export interface MemoryReport {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
  /** tfjs cannot count some backends' memory exactly. */
  unreliable: boolean;
  backend: string | null;
  /** numTensors just before the latest training built its model (what a cancel returns to). */
  baselineTensors: number | null;
  /** Whether a trained model is held for export. */
  modelKept: boolean;
}

/** Data loading result. */
export type DataResult = { ok: true; info: DataInfo } | { ok: false; failure: TrainerFailure };

/** One rerun to do. */
export interface TrainRequest {
  /** Tuning-table row, e.g. "cnn-32-64-3-64" or "resnet-2x32". */
  rowId: string;
  protocol: Protocol;
  /** Backend to train on; defaults to the current one, or "auto" when none is active. */
  backend?: BackendChoice;
}

/** Phases a rerun goes through, in order: the backend, the dataset, then the row's run. */
export type RerunPhase = "backend" | "data" | RowPhase;
/** @deprecated the former name of {@link RerunPhase}. */
export type TrainPhase = RerunPhase;

/** Progress callbacks; on the page these are comlink proxies (calls return promises, never awaited). */
export interface TrainCallbacks {
  onPhase?(phase: RerunPhase): unknown;
  onBackend?(selection: BackendSelection): unknown;
  onDataProgress?(progress: DataProgress): unknown;
  onBatch?(progress: BatchProgress): unknown;
  onEpoch?(record: EpochRecord): unknown;
}

/** How a rerun ended. */
export type TrainOutcome =
  | { status: "finished"; record: RunRecord; backend: BackendName; memory: MemoryReport }
  | { status: "cancelled"; epochs: EpochRecord[]; backend: BackendName; memory: MemoryReport }
  | { status: "failed"; failure: TrainerFailure; memory: MemoryReport };

/** The trained model in the tfjs layers format; `weights` is transferred, not copied. */
export interface ExportedModel {
  runId: string;
  rowId: string;
  /** model.json, naming "weights.bin" in its weightsManifest. */
  modelJson: Record<string, unknown>;
  /** Little-endian float32 weights in weightsManifest order. */
  weights: ArrayBuffer;
}
