/** Node-side facts for run records and benchmarks: CPU, cores, platform, versions, the code's commit. */
import { execFileSync } from "node:child_process";
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
    ...codeCommit(),
  };
}

/**
 * The commit of the checkout this script runs from, with "+changes" when tracked files differ from
 * it; nothing when this is not a git checkout or git is missing.
 */
function codeCommit(): { commit?: string } {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: import.meta.dirname, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const commit = git("rev-parse", "--short=12", "HEAD");
    return { commit: git("status", "--porcelain", "--untracked-files=no") === "" ? commit : `${commit}+changes` };
  } catch {
    return {};
  }
}

/** Processor seconds this process has used so far, all its threads (wasm's pthreads and helpers) added. */
export function processCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
