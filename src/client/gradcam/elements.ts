/** The Grad-CAM tool's elements (src/components/GradCamTool.astro), found once by their data-gradcam name. */

/**
 * Find every element the page script uses.
 * @throws naming the first one the markup lacks
 */
export function findElements(root: HTMLElement) {
  const el = <T extends HTMLElement>(key: string) => {
    const found = root.querySelector<T>(`[data-gradcam="${key}"]`);
    if (!found) throw new Error(`Grad-CAM markup lacks [data-gradcam="${key}"]`);
    return found;
  };
  return {
    status: el<HTMLParagraphElement>("status"),
    errorBox: el<HTMLParagraphElement>("error"),
    urlProblemBox: el<HTMLElement>("url-problem"),
    form: el<HTMLFormElement>("controls"),
    modelSelect: el<HTMLSelectElement>("model"),
    backendSelect: el<HTMLSelectElement>("backend"),
    modelInfo: el<HTMLParagraphElement>("model-info"),
    indexInput: el<HTMLInputElement>("index"),
    classSelect: el<HTMLSelectElement>("class"),
    layerSelect: el<HTMLSelectElement>("layer"),
    targetSelect: el<HTMLSelectElement>("target"),
    colormapSelect: el<HTMLSelectElement>("colormap"),
    alphaInput: el<HTMLInputElement>("alpha"),
    imageCanvas: el<HTMLCanvasElement>("image"),
    heatmapCanvas: el<HTMLCanvasElement>("heatmap"),
    overlayCanvas: el<HTMLCanvasElement>("overlay"),
    imageCaption: el<HTMLElement>("image-caption"),
    heatmapCaption: el<HTMLElement>("heatmap-caption"),
    predicted: el<HTMLElement>("predicted"),
    truth: el<HTMLElement>("truth"),
    top3: el<HTMLOListElement>("top3"),
    legendBar: el<HTMLElement>("legend-bar"),
    emptyNote: el<HTMLElement>("empty-note"),
    compare: el<HTMLElement>("compare"),
    random: el<HTMLButtonElement>("random"),
    randomClass: el<HTMLButtonElement>("random-class"),
    randomWrong: el<HTMLButtonElement>("random-wrong"),
    controls: Array.from(root.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>("form [disabled]")),
  };
}

/** The elements {@link findElements} returns. */
export type GradCamElements = ReturnType<typeof findElements>;
