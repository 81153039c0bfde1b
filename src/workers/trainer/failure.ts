/**
 * Failures of a reader's rerun, told plainly. Errors from fetch, tfjs, the browser or the worker
 * arrive as messages of every shape; the panel needs a kind, one sentence for the reader, the
 * technical detail, and whether retrying (on another backend) can help.
 */

/** What went wrong, as far as the panel is concerned. */
export type FailureKind =
  | "dataset-download"
  | "dataset-checksum"
  | "no-backend"
  | "backend-failed"
  | "webgl-context-lost"
  | "out-of-memory"
  | "diverged"
  | "worker-crashed"
  | "busy"
  | "unexpected";

/** A failure as plain data (crosses the worker boundary). */
export interface TrainerFailure {
  kind: FailureKind;
  /** One or two sentences for the reader: what happened and what to try. */
  message: string;
  /** The underlying error message. */
  detail: string;
  /** The backend in use when it happened, if any. */
  backend?: string;
  /** Whether another backend might succeed where this one failed. */
  retryOnOtherBackend: boolean;
}

/** Where in a rerun the error was raised. */
export type FailurePhase = "data" | "backend" | "train";

const OUT_OF_MEMORY =
  /out of memory|\boom\b|allocation failed|failed to allocate|cannot enlarge memory|memory access out of bounds|could not allocate|Invalid typed array length|Array buffer allocation|exceeds the size limit|GL_OUT_OF_MEMORY/i;
const CONTEXT_LOST = /context (?:was )?lost|CONTEXT_LOST_WEBGL|isContextLost|webglcontextlost|device (?:was )?lost/i;
const CHECKSUM = /SHA-256 mismatch|after decoding|corrupt or truncated|expected dims|expected labels|invalid prepared-data manifest|not an IDX|magic/i;

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));

/**
 * Classify an error raised in `phase`.
 * @param facts what else is known: the backend in use, and whether its WebGL context is lost
 */
export function describeFailure(error: unknown, phase: FailurePhase, facts: { backend?: string; contextLost?: boolean } = {}): TrainerFailure {
  const detail = messageOf(error);
  const backend = facts.backend;
  const on = backend ? ` on ${backend}` : "";
  if (phase === "data") {
    if (CHECKSUM.test(detail)) {
      return {
        kind: "dataset-checksum",
        message: "The downloaded dataset does not match its published checksums, so it was not used. The cached copy was cleared; retrying downloads it again.",
        detail,
        retryOnOtherBackend: false,
      };
    }
    return {
      kind: "dataset-download",
      message: "The Fashion-MNIST files (about 30 MB) could not be downloaded. Check the connection and retry.",
      detail,
      retryOnOtherBackend: false,
    };
  }
  if (facts.contextLost || ((backend === "webgl" || backend === "webgpu") && CONTEXT_LOST.test(detail))) {
    const what = backend === "webgpu" ? "WebGPU device lost" : "WebGL context lost";
    return {
      kind: "webgl-context-lost",
      message: `The browser took the GPU away from this page (${what}), so training stopped. Retry, or pick another backend.`,
      detail,
      backend,
      retryOnOtherBackend: true,
    };
  }
  if (OUT_OF_MEMORY.test(detail)) {
    return {
      kind: "out-of-memory",
      message: `Training ran out of memory${on}. Close other tabs, pick a smaller preset, or retry on another backend.`,
      detail,
      backend,
      retryOnOtherBackend: true,
    };
  }
  if (/training diverged/i.test(detail)) {
    return {
      kind: "diverged",
      message: `Training diverged${on} (the loss became NaN or infinite). Retrying on another backend may help; numerical precision differs between them.`,
      detail,
      backend,
      retryOnOtherBackend: true,
    };
  }
  if (phase === "backend") {
    return {
      kind: "backend-failed",
      message: `The ${backend ?? "chosen"} backend could not start. Pick another backend.`,
      detail,
      backend,
      retryOnOtherBackend: true,
    };
  }
  return {
    kind: "unexpected",
    message: `Training stopped with an error${on}. Retry, or try another backend.`,
    detail,
    backend,
    retryOnOtherBackend: true,
  };
}

/** The failure shown when the worker itself died (crash, killed for memory) or stopped answering. */
export function workerCrashFailure(detail: string, backend?: string): TrainerFailure {
  return {
    kind: "worker-crashed",
    message: "The training worker stopped unexpectedly (it may have run out of memory). The page is fine; retry, or pick another backend or a smaller preset.",
    detail,
    backend,
    retryOnOtherBackend: true,
  };
}
