/**
 * Build-time list of the pretrained models published with the site (Node only): the original
 * study's ranked rows whose weights exist under public/data/models/<row id>/, each with the
 * run record it came from (the one whose `modelPath` names those weights), so the Grad-CAM page
 * requests neither weights nor records that were not published.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { LoadedRun } from "../lib/study/runs.ts";
import { RUNS_PATH } from "../lib/site.ts";
import { ORIGINAL_STUDY } from "../lib/study/study.ts";

/** A published pretrained model, with paths relative to the site base. */
export interface ShippedModel {
  rowId: string;
  /** e.g. "Pretrained CNN (cnn-32-64-3-64)". */
  label: string;
  /** e.g. "data/models/cnn-32-64-3-64/model.json". */
  modelPath: string;
  /** e.g. "data/runs/cnn-32-64-3-64.full.json", or null when no published record names the weights. */
  runPath: string | null;
}

/**
 * Row ids whose weights the site may ship, in the order the model picker lists them: the original
 * study's ranked rows (`npm run reproduce -- <row> --save-model` writes them), CNNs first.
 */
export const SHIPPED_ROW_IDS: readonly string[] = [...ORIGINAL_STUDY.cnnTuning, ...ORIGINAL_STUDY.resnetTuning].map((r) => r.id);

/**
 * The shipped models present in this checkout.
 * @param runs the published run records (the `runs` collection at build time)
 * @param modelsDir folder of `<row id>/model.json` (default public/data/models of the working directory)
 */
export function findShippedModels(runs: readonly LoadedRun[], modelsDir = resolve("public/data/models")): ShippedModel[] {
  return SHIPPED_ROW_IDS.filter((id) => existsSync(resolve(modelsDir, id, "model.json"))).map((rowId) => {
    const source = runs.filter((r) => r.run.modelPath === `models/${rowId}/model.json`).sort((a, b) => b.run.finishedAt.localeCompare(a.run.finishedAt))[0];
    return {
      rowId,
      label: `Pretrained ${rowId.startsWith("cnn") ? "CNN" : "ResNet"} (${rowId})`,
      modelPath: `data/models/${rowId}/model.json`,
      runPath: source ? `${RUNS_PATH}${source.file}` : null,
    };
  });
}
