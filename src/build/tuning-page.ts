/**
 * The view model of a tuning page (src/pages/[family]-tuning.astro, one route for /cnn-tuning/
 * and /resnet-tuning/): its title, rows, counts and labels, from the family's tuning rows.
 */
import type { Family, TuningRow } from "../lib/study/tuning-rows.ts";

/** The families with a tuning page, in the order of the navigation. */
export const TUNING_FAMILIES: readonly Family[] = ["cnn", "resnet"];

/** Each family's name in titles and captions. */
const FAMILY_TITLES: Record<Family, string> = { cnn: "CNN", resnet: "ResNet" };

/** What a tuning page shows above and around its table. */
export interface TuningPage {
  family: Family;
  /** E.g. "CNN tuning": the page's title and heading. */
  title: string;
  rows: TuningRow[];
  /** Rows with a full-protocol run. */
  reproduced: number;
  /** Rows with only a quick or smoke run. */
  preliminaryOnly: number;
  /** The table's caption. */
  caption: string;
  /** The "Rerun all" button's label. */
  rerunAllLabel: string;
}

/** Build a tuning page's view model from its family's rows. */
export function buildTuningPage(family: Family, rows: TuningRow[]): TuningPage {
  const name = FAMILY_TITLES[family];
  return {
    family,
    title: `${name} tuning`,
    rows,
    reproduced: rows.filter((r) => r.reproduced).length,
    preliminaryOnly: rows.filter((r) => !r.reproduced && r.preliminary).length,
    caption: `${name} tuning grid: ${rows.length} configurations, the original study's ranked rows first`,
    rerunAllLabel: `Rerun all ${rows.length} in turn`,
  };
}
