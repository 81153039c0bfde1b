/** Node-side facts for run records and benchmarks: CPU, cores, platform, versions. */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import type { RunEnvironment } from "../../src/lib/model/run-row.ts";

/**
 * The run record's environment for a Node run on `backend`; `gpu` names the WebGPU adapter
 * (from `installNodeWebGpu`) when the backend is 'webgpu', `wasmThreads` the XNNPACK threads of a
 * threaded wasm backend (scripts/lib/wasm-threads.ts; left out when 1).
 */
export function nodeEnvironment(backend: string, gpu?: string, wasmThreads?: number): RunEnvironment {
  const cpus = os.cpus();
  return {
    runtime: "node",
    backend,
    tfjsVersion: tf.version.tfjs,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: Math.max(1, cpus.length),
    platform: `${os.platform()} ${os.arch()}`,
    nodeVersion: process.version,
    ...(gpu !== undefined ? { gpu } : {}),
    ...(backend === "wasm" && wasmThreads !== undefined && wasmThreads > 1 ? { wasmThreads } : {}),
  };
}

/** Processor seconds this process has used so far, all its threads (wasm's pthreads and helpers) added. */
export function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
