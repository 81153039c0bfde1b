/** Putting the Grad-CAM page's state into its elements: the panels of the current view, and the URL problems. */
import { colormapGradient, type ColormapName } from "../../lib/charts/heatmap.ts";
import { BIG, drawView, SMALL } from "./canvas.ts";
import type { GradCamElements } from "./elements.ts";
import { currentView, type GradCamState } from "./state.ts";
import { tileCaption, viewText } from "./view-model.ts";

/** Show one paragraph per URL problem; the box hides when there is none. */
export function renderProblems(box: HTMLElement, problems: ReadonlyMap<string, string>): void {
  box.replaceChildren(
    ...Array.from(problems.values(), (text) => {
      const p = document.createElement("p");
      p.textContent = text;
      return p;
    }),
  );
  box.hidden = problems.size === 0;
}

/**
 * The Grad-CAM panels (image, heat map, overlay, captions, top 3 and every layer's tile) of the
 * state's current view; nothing before the first view is computed.
 */
export function renderViews(ui: GradCamElements, state: GradCamState, names: readonly string[]): void {
  const view = currentView(state);
  if (!view) return;
  const colormap = ui.colormapSelect.value as ColormapName;
  const alpha = Number(ui.alphaInput.value);
  drawView(view, BIG, colormap, alpha, { image: ui.imageCanvas, heat: ui.heatmapCanvas, over: ui.overlayCanvas });
  ui.legendBar.style.background = colormapGradient(colormap);
  const text = viewText(view, names);
  ui.imageCaption.textContent = text.imageCaption;
  ui.imageCanvas.setAttribute("aria-label", text.imageLabel);
  ui.heatmapCaption.textContent = text.heatmapCaption;
  ui.heatmapCanvas.setAttribute("aria-label", text.heatmapLabel);
  ui.predicted.textContent = text.predicted;
  ui.truth.textContent = text.truth;
  ui.top3.replaceChildren(
    ...text.top3.map(({ text, barPercent }) => {
      const li = document.createElement("li");
      li.textContent = text;
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${barPercent}%`;
      li.append(bar);
      return li;
    }),
  );
  ui.emptyNote.hidden = !text.empty;
  ui.emptyNote.textContent = text.emptyNote;
  ui.compare.replaceChildren(
    ...state.views.map((v) => {
      const figure = document.createElement("figure");
      const heat = document.createElement("canvas");
      const over = document.createElement("canvas");
      heat.setAttribute("role", "img");
      heat.setAttribute("aria-label", `Heat map at ${v.layer}`);
      over.setAttribute("role", "img");
      over.setAttribute("aria-label", `Heat map at ${v.layer} over the image`);
      heat.dataset.layer = over.dataset.layer = v.layer;
      drawView(v, SMALL, colormap, alpha, { heat, over });
      const caption = document.createElement("figcaption");
      caption.textContent = tileCaption(v);
      figure.append(heat, over, caption);
      return figure;
    }),
  );
}
