/**
 * How the protocol presets read on the page: their labels and a few words on what each trains.
 * Shared by the rerun panel's server-rendered markup and its script.
 */
import { formatCount, formatPlural } from "../format.ts";
import type { PresetName } from "./rerun-reference.ts";
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
  return `${formatCount(protocol.trainImages)} training images, ${formatPlural(protocol.epochs, "epoch")}, batch ${protocol.batchSize}`;
}
