/**
 * How the Grad-CAM page names a model the reader trained (one of the options of its model menu),
 * without any DOM.
 */
import { formatPercent } from "../../lib/format.ts";
import { presetLabel } from "../../lib/study/preset-text.ts";
import type { StoredModelInfo } from "../../lib/storage/reruns-db.ts";

/**
 * "Your rerun: cnn-32-64-3-32 · Smoke · test 61.40% · 24 Nov 2026, 10:00": the row, the protocol
 * it ran (when its run record is kept), its test accuracy and when it finished; parts that are not
 * known are left out.
 * @param when the finishing time as the page prints it ("" when unknown)
 */
export function storedModelLabel(info: StoredModelInfo, when: string): string {
  const parts = [`Your rerun: ${info.rowId}`];
  if (info.protocol) parts.push(presetLabel(info.protocol));
  if (info.testAccuracy !== undefined) parts.push(`test ${formatPercent(info.testAccuracy)}`);
  if (when) parts.push(when);
  return parts.join(" · ");
}
