/** Sizes every chart shares, report charts (built into pages) and live ones (the rerun panel). */

/**
 * Font size of every chart's text, in SVG user units (CSS px at the chart's own width). Charts are
 * at most {@link CHART_MAX_WIDTH} wide, so on a 390 px phone (358 px of content) they scale down by
 * at most 358 / 380 and their text stays at 11.3 px or more.
 */
export const CHART_FONT_SIZE = 12;

/** Widest chart, in px (its `width` option): the phone rule of {@link CHART_FONT_SIZE}. */
export const CHART_MAX_WIDTH = 380;
