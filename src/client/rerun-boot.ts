/**
 * The only rerun code a report page loads up front (a few hundred bytes): it wires every
 * `button.rerun[data-config]` and `[data-rerun-all]` button by event delegation and reads
 * ?preset= and ?backend=. A click marks `<html data-rerun-room>`, so that wide windows make room for
 * the panel (RerunPanel.astro). The panel, comlink and the workers (tfjs, Plot) load on the first click;
 * the "Your reruns" list (IndexedDB, a few KB) loads when the page is idle.
 */
import { parseBackendChoice, type BackendChoice } from "../lib/backends/names.ts";
import { PRESET_NAMES, type PresetName } from "../lib/study/preset-names.ts";
import type { RerunPanel } from "./rerun-panel.ts";

/** ?preset=smoke|quick|full, or undefined. */
function presetFromUrl(): PresetName | undefined {
  const value = new URLSearchParams(location.search).get("preset");
  return PRESET_NAMES.find((name) => name === value);
}

/** ?backend=auto|webgpu|webgl|wasm|cpu, or undefined. */
function backendFromUrl(): BackendChoice | undefined {
  return parseBackendChoice(new URLSearchParams(location.search).get("backend"));
}

let panel: Promise<RerunPanel> | null = null;

function loadPanel(): Promise<RerunPanel> {
  panel ??= (async () => {
    const island = document.getElementById("rerun-data");
    if (!island) throw new Error("this page has no rerun data (#rerun-data)");
    const { createRerunPanel } = await import("./rerun-panel.ts");
    // Evaluating the module and building the panel in separate tasks keeps each one short.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return createRerunPanel({
      baseUrl: import.meta.env.BASE_URL,
      data: JSON.parse(island.textContent ?? "{}"),
      preset: presetFromUrl(),
      backend: backendFromUrl(),
    });
  })();
  panel.catch(() => (panel = null));
  return panel;
}

function tell(button: Element, error: unknown): void {
  const note = document.createElement("p");
  note.className = "rerun-load-error";
  note.setAttribute("role", "alert");
  note.textContent = `The rerun panel could not load (${error instanceof Error ? error.message : String(error)}). Check the connection and press Rerun again.`;
  button.closest("table, section, main")?.before(note);
  setTimeout(() => note.remove(), 15_000);
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const rerun = target?.closest<HTMLElement>("button.rerun[data-config]");
  const all = target?.closest<HTMLElement>("[data-rerun-all]");
  const button = rerun ?? all;
  if (!button) return;
  event.preventDefault();
  button.setAttribute("aria-busy", "true");
  // Wide windows make room for the panel now (RerunPanel.astro's styles), while nothing else runs.
  document.documentElement.dataset.rerunRoom = "";
  loadPanel()
    .then((p) => {
      if (rerun) p.request(rerun.dataset.config!);
      else {
        // A "Rerun all" lists its rows, or stands for every Rerun button of its table/section.
        const listed = all!.dataset.rerunAll?.trim();
        const scope = all!.closest("section, table, figure") ?? document;
        const rows = listed ? listed.split(/\s+/) : [...scope.querySelectorAll<HTMLElement>("button.rerun[data-config]")].map((b) => b.dataset.config!);
        p.requestAll(rows);
      }
    })
    .catch((error: unknown) => {
      if (!document.querySelector(".rerun-panel")) delete document.documentElement.dataset.rerunRoom;
      tell(button, error);
    })
    .finally(() => button.removeAttribute("aria-busy"));
});

// "Your reruns" (a few KB, no tfjs) loads once the page is idle, so the list is there when the reader scrolls to it.
const reruns = document.querySelector<HTMLElement>("[data-your-reruns]");
if (reruns) {
  const mount = () => void import("./your-reruns.ts").then((m) => m.mountYourReruns(reruns));
  if ("requestIdleCallback" in window) requestIdleCallback(mount, { timeout: 3_000 });
  else setTimeout(mount, 1_000);
}
