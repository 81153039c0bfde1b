/**
 * "Your reruns": the runs this browser has trained, from IndexedDB, with their numbers, backend
 * and device; each downloadable as JSON (the schema of public/data/runs/, ready for a maintainer
 * to publish) and its model in the tfjs format; all of them as one JSON array. Refreshes when the
 * panel stores a run.
 */
import { formatCount, formatDateTime, formatPercent } from "../lib/format.ts";
import type { RunRecord } from "../lib/study/schema.ts";
import {
  deleteRerun,
  downloadBlob,
  downloadModel,
  downloadRunJson,
  getRerunModel,
  listRerunModelIds,
  listReruns,
  RERUNS_CHANGED_EVENT,
} from "./rerun-store.ts";

function cell(text: string, attrs: Record<string, string> = {}): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  for (const [k, v] of Object.entries(attrs)) td.setAttribute(k, v);
  return td;
}

function button(label: string, onClick: () => void, aria?: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "rerun-link";
  b.textContent = label;
  if (aria) b.setAttribute("aria-label", aria);
  b.addEventListener("click", onClick);
  return b;
}

function device(run: RunRecord): string {
  const env = run.environment;
  return [env.backend, env.gpu, env.cores ? `${env.cores} cores` : undefined].filter(Boolean).join(", ");
}

/** Fill `section` (a `[data-your-reruns]` element) with the stored runs and keep it current. */
export async function mountYourReruns(section: HTMLElement): Promise<void> {
  const list = section.querySelector<HTMLElement>("[data-your-reruns-list]") ?? section;
  const empty = section.querySelector<HTMLElement>("[data-your-reruns-empty]");

  async function render(): Promise<void> {
    let runs: RunRecord[];
    let withModel: Set<string>;
    try {
      [runs, withModel] = await Promise.all([listReruns(), listRerunModelIds()]);
    } catch (error) {
      list.replaceChildren(
        Object.assign(document.createElement("p"), { textContent: `Your reruns cannot be shown: ${error instanceof Error ? error.message : String(error)}` }),
      );
      return;
    }
    section.dataset.count = String(runs.length);
    if (empty) empty.hidden = runs.length > 0;
    if (runs.length === 0) return list.replaceChildren();

    const table = document.createElement("table");
    table.className = "your-reruns-table";
    table.innerHTML =
      "<caption>Reruns kept in this browser, newest first</caption><thead><tr><th scope='col'>Row</th><th scope='col'>Protocol</th><th scope='col'>Validation accuracy</th><th scope='col'>Test accuracy</th><th scope='col'>Backend and device</th><th scope='col'>Finished</th><th scope='col'>Keep</th></tr></thead>";
    const tbody = document.createElement("tbody");
    for (const run of runs) {
      const tr = document.createElement("tr");
      tr.dataset.runId = run.runId;
      const actions = document.createElement("td");
      actions.className = "your-reruns-actions";
      actions.append(button("JSON", () => downloadRunJson(run), `Download ${run.runId} as JSON`));
      // A run kept without its model (the worker had no model to export, or an older version of the
      // site kept it) offers no Model button rather than one that does nothing.
      if (withModel.has(run.runId))
        actions.append(
          button(
            "Model",
            async () => {
              const model = await getRerunModel(run.runId);
              if (model) downloadModel(model);
            },
            `Download the model of ${run.runId}`,
          ),
        );
      actions.append(
        button(
          "Delete",
          async () => {
            await deleteRerun(run.runId);
            document.dispatchEvent(new CustomEvent(RERUNS_CHANGED_EVENT, { detail: { runId: run.runId } }));
          },
          `Delete ${run.runId}`,
        ),
      );
      const rowHead = document.createElement("th");
      rowHead.scope = "row";
      rowHead.textContent = run.rowId;
      tr.append(
        rowHead,
        cell(`${run.protocol.name} (${formatCount(run.protocol.trainImages)} images, ${run.protocol.epochs} ep.)`),
        cell(formatPercent(run.metrics.validation.accuracy), { "data-result": "val-accuracy" }),
        cell(formatPercent(run.metrics.test.accuracy)),
        cell(device(run), { title: run.environment.userAgent ?? "", class: "your-reruns-device" }),
        cell(formatDateTime(run.finishedAt)),
        actions,
      );
      tbody.append(tr);
    }
    table.append(tbody);
    const all = button("Download all as JSON", () => {
      downloadBlob(new Blob([`${JSON.stringify(runs, null, 2)}\n`], { type: "application/json" }), "fashion-mnist-live-reruns.json");
    });
    all.className = "rerun-button";
    const note = document.createElement("p");
    note.className = "your-reruns-note";
    note.textContent =
      "Each run's JSON follows the schema of the site's published runs (public/data/runs/): a maintainer can check it and publish it as it is. The download of all runs is a JSON array of such records.";
    // On a phone the table scrolls sideways inside its own box, never the page.
    const scroll = document.createElement("div");
    scroll.className = "table-scroll your-reruns-scroll";
    scroll.setAttribute("role", "region");
    // Named apart from the section ("Your reruns"): two landmarks of one name cannot be told apart.
    scroll.setAttribute("aria-label", "Table of your reruns");
    scroll.tabIndex = 0;
    scroll.append(table);
    list.replaceChildren(scroll, note, all);
  }

  document.addEventListener(RERUNS_CHANGED_EVENT, () => void render());
  await render();
}
