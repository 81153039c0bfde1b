/**
 * Classification metrics with scikit-learn's definitions: per-class precision, recall and F1 from a
 * confusion matrix, their macro and support-weighted averages, and accuracy. A zero denominator
 * gives 0 (sklearn's `zero_division=0`).
 */

/** counts[true][predicted], numClasses x numClasses. */
export type ConfusionMatrix = number[][];

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true instances of the class. */
  support: number;
}

export interface ClassificationReport {
  perClass: ClassReport[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  /** Fraction of correct predictions in [0, 1]. */
  accuracy: number;
  /** Total number of instances. */
  total: number;
}

/**
 * Count true/predicted label pairs.
 * @param yTrue labels in [0, numClasses)
 * @param yPred predicted labels in [0, numClasses), same length as yTrue
 * @returns matrix[true][predicted]
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
): ConfusionMatrix {
  if (yTrue.length !== yPred.length) {
    throw new Error(`confusionMatrix: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses) || !Number.isInteger(t) || !Number.isInteger(p)) {
      throw new Error(`confusionMatrix: label out of range at ${i} (true ${t}, predicted ${p}, classes ${numClasses})`);
    }
    matrix[t][p]++;
  }
  return matrix;
}

const safeDiv = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Per-class precision/recall/F1/support, macro and weighted averages, and accuracy of a confusion matrix. */
export function classificationReport(matrix: ConfusionMatrix): ClassificationReport {
  const n = matrix.length;
  const perClass: ClassReport[] = [];
  let total = 0;
  let correct = 0;
  for (let c = 0; c < n; c++) {
    let support = 0;
    let predicted = 0;
    for (let k = 0; k < n; k++) {
      support += matrix[c][k];
      predicted += matrix[k][c];
    }
    const tp = matrix[c][c];
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    const f1 = safeDiv(2 * precision * recall, precision + recall);
    perClass.push({ precision, recall, f1, support });
    total += support;
    correct += tp;
  }
  const average = (key: "precision" | "recall" | "f1", weighted: boolean): number =>
    weighted
      ? safeDiv(
          perClass.reduce((s, r) => s + r[key] * r.support, 0),
          total,
        )
      : safeDiv(
          perClass.reduce((s, r) => s + r[key], 0),
          n,
        );
  return {
    perClass,
    macro: { precision: average("precision", false), recall: average("recall", false), f1: average("f1", false) },
    weighted: { precision: average("precision", true), recall: average("recall", true), f1: average("f1", true) },
    accuracy: safeDiv(correct, total),
    total,
  };
}
