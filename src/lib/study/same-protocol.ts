/**
 * Which of our published records a reader's rerun is compared with, and how the comparison is
 * labelled: only a record of the same preset, and every column head names its protocol.
 * Type-only imports, so the rerun panel can use it without loading zod or the study module; the
 * presets come from the page data (`RerunPageData.presets`).
 */
import { describeProtocolSize, formatCount } from "../format.ts";
import type { PresetName } from "./preset-names.ts";
import type { HeadlineMetrics, Protocol } from "./schema.ts";

/** One published pipeline record of a row, as the panel shows it (fractions in [0, 1]). */
export interface ReproducedReference {
  runId: string;
  /** The record's protocol name ("full", "quick", "smoke" or "custom"). */
  protocol: string;
  backend: string;
  valAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  testF1: number;
  /**
   * Training speed of the record in images per second (median over its epochs) and the runtime it
   * ran in ("node" or "browser"): the panel's time estimates start from it. Absent in older pages' JSON.
   */
  imagesPerSecond?: number;
  runtime?: string;
  /**
   * Seconds the record spent training (the sum of its epochs' times: no data loading, no
   * evaluation, no waiting; processor time where it stands for an idle core's, `idleTrainSeconds`
   * of runs.ts), and the images it trained in them (training images × epochs run):
   * the time estimates of its preset start from these. Absent in older pages' JSON.
   */
  trainSeconds?: number;
  trainedImages?: number;
  /** wasm only: XNNPACK threads the record trained on (absent: 1). */
  wasmThreads?: number;
}

/** One row's reference numbers (fractions in [0, 1]). */
export interface RowReference {
  rowId: string;
  /** Plain description of the architecture. */
  description: string;
  original?: { valAccuracy: number; validation?: HeadlineMetrics; test?: HeadlineMetrics };
  /** The row's best record over all protocols (full preferred, see `isBetterRun`); kept for older readers of the JSON. */
  reproduced?: ReproducedReference;
  /** The row's best record of each preset (a record counts for a preset only when it is that preset setting for setting). */
  byPreset?: Partial<Record<PresetName, ReproducedReference>>;
}

/**
 * The preset a protocol is, setting for setting (name, data sizes, epochs, optimiser, learning
 * rate, batch size, seeds, weight selection), or undefined for a custom protocol or one that
 * carries a preset's name with other settings.
 * @param presets the presets by name (`PROTOCOL_PRESETS`, or the page data's copy)
 */
export function matchPreset(protocol: Protocol, presets: Readonly<Record<PresetName, Protocol>>): PresetName | undefined {
  if (!Object.hasOwn(presets, protocol.name)) return undefined;
  const name = protocol.name as PresetName;
  const preset = presets[name];
  const keys = Object.keys(preset) as (keyof Protocol)[];
  return keys.every((key) => protocol[key] === preset[key]) ? name : undefined;
}

/**
 * Our published record to set beside a reader's rerun: the row's record of the same preset, or
 * undefined when we have none (then the panel says so instead of comparing with another protocol).
 * A rerun whose protocol is not a preset setting for setting (a custom protocol) has no reference.
 * @param reference the row's reference numbers (from `buildRerunPageData`), if any
 * @param protocol the rerun's protocol
 * @param presets the presets by name (the page data's `presets`)
 */
export function sameProtocolReference(
  reference: RowReference | undefined,
  protocol: Protocol,
  presets: Readonly<Record<PresetName, Protocol>>,
): ReproducedReference | undefined {
  const preset = matchPreset(protocol, presets);
  return preset === undefined ? undefined : reference?.byPreset?.[preset];
}

/** Column heads of the panel's comparison table, each naming the protocol of its numbers. */
export interface ComparisonHeads {
  mine: string;
  ours: string;
  original: string;
}

/**
 * The comparison table's column heads for a rerun: the rerun's and our record's protocol (always
 * the same, see `sameProtocolReference`), and the original study's own training.
 * @param protocol the rerun's protocol (its name is used as it is for a custom protocol)
 * @returns e.g. { mine: "Your rerun (quick)", ours: "Ours (quick)", original: "Original study (its full training)" }
 */
export function comparisonHeads(protocol: Protocol): ComparisonHeads {
  return {
    mine: `Your rerun (${protocol.name})`,
    ours: `Ours (${protocol.name})`,
    original: "Original study (its full training)",
  };
}

/**
 * The sentence under the comparison table: what the rerun is compared with, and why numbers may differ.
 * @param protocol the rerun's protocol
 * @param ours our record of the same preset (from `sameProtocolReference`), if any
 * @param presets the presets by name (the page data's `presets`)
 */
export function comparisonNote(protocol: Protocol, ours: ReproducedReference | undefined, presets: Readonly<Record<PresetName, Protocol>>): string {
  const preset = matchPreset(protocol, presets);
  const name = protocol.name;
  const size = `${describeProtocolSize(protocol)}, ${formatCount(protocol.testImages)} test images`;
  const compared = ours
    ? `Same protocol as ours (${name}: ${size}): differences come from the backend's arithmetic and the browser.`
    : `This site has no published ${name}-protocol record of this row, so there is no number of ours to compare with.`;
  if (preset === "full") return compared;
  return `${compared} A ${name} run is shorter than the full protocol, so expect lower numbers than the original study's.`;
}
