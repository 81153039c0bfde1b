/**
 * The rerun panel's result: the reader's numbers beside ours (this site's pipeline) and the
 * original study's, a note on the protocol, and the downloads. The rows are worked out by a pure
 * function; the view fills the server-rendered table from its row template.
 */
import { formatDuration, formatLoss, formatPercent } from "../../lib/format.ts";
import { presetLabel } from "../../lib/study/preset-text.ts";
import type { PresetName } from "../../lib/study/preset-names.ts";
import type { RowReference } from "../../lib/study/rerun-reference.ts";
import { comparisonHeads, comparisonNote, sameProtocolReference } from "../../lib/study/same-protocol.ts";
import type { Protocol, RunRecord } from "../../lib/study/schema.ts";

/** The protocol presets by name (the page data's `presets`). */
type Presets = Readonly<Record<PresetName, Protocol>>;
import { downloadModel, downloadRunJson, getRerunModel } from "../rerun-store.ts";
import { fromTemplate, part } from "./parts.ts";

/** One row of the comparison table: a metric and its three values as printed. */
export interface ComparisonRow {
  label: string;
  /** The reader's rerun. */
  mine: string;
  /** This site's reproduced run. */
  ours: string;
  /** The original study. */
  theirs: string;
  /** `data-result` of the reader's cell (the browser tests read these), when it has one. */
  result?: string;
}

const DASH = "—";

/**
 * The comparison rows of a finished rerun against its row's reference numbers: ours is this
 * site's published record of the same preset only, never another protocol's.
 */
export function comparisonRows(record: RunRecord, reference: RowReference | undefined, presets: Presets): ComparisonRow[] {
  const m = record.metrics;
  const ours = sameProtocolReference(reference, record.protocol, presets);
  const orig = reference?.original;
  return [
    {
      label: "Validation accuracy",
      mine: formatPercent(m.validation.accuracy),
      ours: ours ? formatPercent(ours.valAccuracy) : `no ${record.protocol.name} record`,
      theirs: orig ? formatPercent(orig.valAccuracy) : "not published",
      result: "val-accuracy",
    },
    {
      label: "Test accuracy",
      mine: formatPercent(m.test.accuracy),
      ours: ours ? formatPercent(ours.testAccuracy) : DASH,
      theirs: orig?.test ? formatPercent(orig.test.accuracy) : DASH,
      result: "test-accuracy",
    },
    {
      label: "Test loss",
      mine: formatLoss(m.test.loss),
      ours: ours ? formatLoss(ours.testLoss) : DASH,
      theirs: orig?.test ? formatLoss(orig.test.loss) : DASH,
      result: "test-loss",
    },
    {
      label: "Test F1 (weighted)",
      mine: formatPercent(m.test.f1),
      ours: ours ? formatPercent(ours.testF1) : DASH,
      theirs: orig?.test ? formatPercent(orig.test.f1) : DASH,
    },
  ];
}

/** The table's caption: which run is compared with what. */
export function resultCaption(record: RunRecord): string {
  return `${record.rowId}: your rerun (${presetLabel(record.protocol.name)}, ${record.environment.backend}) beside ours (this site's pipeline, same protocol) and the original study`;
}

/** The note under the table: how the protocol compares with ours, how long it took, what was kept. */
export function resultNote(record: RunRecord, reference: RowReference | undefined, presets: Presets): string {
  const protocol = comparisonNote(record.protocol, sameProtocolReference(reference, record.protocol, presets), presets);
  return `${protocol} Trained in ${formatDuration(record.wallTimeSeconds)}; kept epoch ${record.bestEpoch} of ${record.epochs.length}. Saved in this browser (Your reruns).`;
}

/**
 * Bind the panel's result box (`[data-part=result]` inside `root`).
 * @param presets the protocol presets by name, to find our record of a rerun's preset
 */
export function createResultView(root: HTMLElement, presets: Presets) {
  const box = part(root, "result");
  const table = part(box, "result-table");
  const caption = part(box, "result-caption");
  const headMine = part(box, "head-mine");
  const headOurs = part(box, "head-ours");
  const headOriginal = part(box, "head-original");
  const rows = part(box, "result-rows");
  const note = part(box, "result-note");
  const saveError = part(box, "save-error");
  let shown: RunRecord | null = null;

  part(box, "download-json").addEventListener("click", () => {
    if (shown) downloadRunJson(shown);
  });
  part(box, "download-model").addEventListener("click", async () => {
    const stored = shown ? await getRerunModel(shown.runId) : undefined;
    if (stored) downloadModel(stored);
  });

  return {
    /** Show a finished run beside its reference numbers. */
    show(record: RunRecord, reference: RowReference | undefined): void {
      shown = record;
      table.dataset.protocol = record.protocol.name;
      const heads = comparisonHeads(record.protocol);
      headMine.textContent = heads.mine;
      headOurs.textContent = heads.ours;
      headOriginal.textContent = heads.original;
      caption.textContent = resultCaption(record);
      rows.replaceChildren(
        ...comparisonRows(record, reference, presets).map((row) => {
          const t = fromTemplate<HTMLTableRowElement>(root, "result-row");
          t.field("label").textContent = row.label;
          const mine = t.field("mine");
          mine.textContent = row.mine;
          if (row.result) mine.dataset.result = row.result;
          t.field("ours").textContent = row.ours;
          t.field("theirs").textContent = row.theirs;
          return t.node;
        }),
      );
      note.textContent = resultNote(record, reference, presets);
      saveError.hidden = true;
      box.hidden = false;
    },
    /** Say that the run could not be kept in the browser. */
    showSaveError(error: unknown): void {
      saveError.textContent = `This run could not be saved in the browser (${error instanceof Error ? error.message : String(error)}); download it now to keep it.`;
      saveError.hidden = false;
    },
    /** Hide the result (a new run starts). */
    hide(): void {
      box.hidden = true;
    },
  };
}

/** The result view's type. */
export type ResultView = ReturnType<typeof createResultView>;
