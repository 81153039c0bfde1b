/**
 * The view model of the rerun panel (src/components/RerunPanel.astro): the reference numbers its
 * script compares a rerun with (original study, our reproduced runs, protocol presets) as the JSON
 * the page embeds, and the presets and backends its settings offer.
 */
import { BACKEND_LABELS, BACKEND_NAMES, type BackendName } from "../lib/backends/names.ts";
import { PRESET_NAMES, type PresetName } from "../lib/study/preset-names.ts";
import { describeProtocol, PRESET_LABELS } from "../lib/study/preset-text.ts";
import { buildRerunPageData } from "../lib/study/rerun-reference.ts";
import type { LoadedRun } from "../lib/study/runs.ts";
import { ORIGINAL_STUDY } from "../lib/study/study.ts";

/** The preset checked until ?preset= or the reader says otherwise (the panel's script applies ?preset=). */
export const DEFAULT_PRESET: PresetName = "quick";

/** One preset as the panel's radio buttons offer it. */
export interface PresetOption {
  name: PresetName;
  /** E.g. "Quick". */
  label: string;
  /** E.g. "5,400 training images, 3 epochs, batch 64". */
  description: string;
  checked: boolean;
}

/** Everything RerunPanel.astro renders. */
export interface RerunPanelModel {
  /**
   * The RerunPageData the panel's script reads from `<script type="application/json" id="rerun-data">`,
   * with "<" escaped so that no string in it can close the script element.
   */
  json: string;
  /** In the order of PRESET_NAMES. */
  presets: PresetOption[];
  /** The backends the menu offers after "Automatic", in the order of BACKEND_NAMES. */
  backends: { name: BackendName; label: string }[];
}

/** The rerun panel's view model from the published run records (those of loadStudyData). */
export function buildRerunPanel(runs: readonly LoadedRun[]): RerunPanelModel {
  const data = buildRerunPageData(
    ORIGINAL_STUDY,
    runs.map((loaded) => loaded.run),
  );
  return {
    json: JSON.stringify(data).replace(/</g, "\\u003c"),
    presets: PRESET_NAMES.map((name) => ({
      name,
      label: PRESET_LABELS[name],
      description: describeProtocol(data.presets[name]),
      checked: name === DEFAULT_PRESET,
    })),
    backends: BACKEND_NAMES.map((name) => ({ name, label: BACKEND_LABELS[name] })),
  };
}
