/** Drawing Grad-CAM views into canvases: the test image, its heat map and the two overlaid. */
import { colorize, enlargeNearest, greyToRgba, overlay, resizeBilinear, type ColormapName } from "../../lib/charts/heatmap.ts";
import type { GradCamView } from "../../workers/gradcam/service.ts";

/** Side of a Fashion-MNIST image, in pixels. */
const SIDE = 28;
/** Scale of the main panels: 168 px. */
export const BIG = 6;
/** Scale of the side-by-side tiles: 112 px. */
export const SMALL = 4;

/** Paint RGBA pixels into a square canvas. */
function paint(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, side: number): void {
  canvas.width = canvas.height = side;
  canvas.getContext("2d")!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, side, side), 0, 0);
}

/**
 * Draw one view's image (when a canvas is given), heat map and overlay at `scale` × 28 px.
 * @param alpha the heat map's opacity over the image, 0..1
 */
export function drawView(
  view: GradCamView,
  scale: number,
  colormap: ColormapName,
  alpha: number,
  canvases: { image?: HTMLCanvasElement; heat: HTMLCanvasElement; over: HTMLCanvasElement },
): void {
  const side = SIDE * scale;
  const pixels = enlargeNearest(view.pixels, SIDE, scale);
  const smooth = resizeBilinear(view.heatmap, SIDE, SIDE, side, side);
  if (canvases.image) paint(canvases.image, greyToRgba(pixels), side);
  paint(canvases.heat, colorize(smooth, colormap), side);
  paint(canvases.over, overlay(pixels, smooth, alpha, colormap), side);
}
