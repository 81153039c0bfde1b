/** Node-side facts for run records and benchmarks: CPU, cores, platform, versions. */
import os from "node:os";
import * as tf from "@tensorflow/tfjs";
import type { RunEnvironment } from "../../src/lib/model/run-row.ts";

export function nodeEnvironment(backend: string): RunEnvironment {
  const cpus = os.cpus();
  return {
    runtime: "node",
    backend,
    tfjsVersion: tf.version.tfjs,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: Math.max(1, cpus.length),
    platform: `${os.platform()} ${os.arch()}`,
    nodeVersion: process.version,
  };
}
