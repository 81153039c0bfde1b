/**
 * How the protocol presets read on the page: their labels and a few words on what each trains.
 * Shared by the rerun panel's server-rendered markup and its script.
 */
import { describeProtocolSize } from "../format.ts";
import type { PresetName } from "./preset-names.ts";
import type { Protocol } from "./schema.ts";

/** Display label of each preset. */
export const PRESET_LABELS: Readonly<Record<PresetName, string>> = { full: "Full", quick: "Quick", smoke: "Smoke" };

/**
 * A preset's label, or the protocol name itself when it is not one of the presets.
 * @param name e.g. "quick" -> "Quick"
 */
export function presetLabel(name: string): string {
  return (PRESET_LABELS as Record<string, string>)[name] ?? name;
}

/**
 * A protocol in a few words.
 * @returns e.g. "5,400 training images, 3 epochs, batch 32"
 */
export function describeProtocol(protocol: Pick<Protocol, "trainImages" | "epochs" | "batchSize">): string {
  return `${describeProtocolSize(protocol)}, batch ${protocol.batchSize}`;
}

/** Forward passes (evaluation) run this many times faster than training steps, roughly (no backward pass, bigger batches). */
const EVALUATION_SPEEDUP = 3;

/**
 * Seconds a run of `protocol` takes at a training speed, roughly: its training images × epochs at
 * `imagesPerSecond`, plus the validation images after each epoch and once more at the end and the
 * test images, evaluated EVALUATION_SPEEDUP times faster. Loading the data and the backend is not counted.
 * @param imagesPerSecond training speed, > 0
 * @throws on a speed that is not a positive finite number
 */
export function estimateRunSeconds(protocol: Pick<Protocol, "trainImages" | "epochs" | "validationImages" | "testImages">, imagesPerSecond: number): number {
  if (!(imagesPerSecond > 0) || !Number.isFinite(imagesPerSecond)) throw new Error(`estimateRunSeconds: expected a positive speed, got ${imagesPerSecond}`);
  const trained = protocol.trainImages * protocol.epochs;
  const evaluated = protocol.validationImages * (protocol.epochs + 1) + protocol.testImages;
  return trained / imagesPerSecond + evaluated / (imagesPerSecond * EVALUATION_SPEEDUP);
}
