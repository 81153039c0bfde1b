/**
 * The rerun panel's failure alert: what went wrong in plain words, the underlying error under
 * "Details", Retry, and (when another backend might work) one "Retry on …" button per other
 * available backend.
 */
import { BACKEND_LABELS, type BackendAssessment, type BackendName } from "../../lib/backends/choice.ts";
import type { TrainerFailure } from "../../workers/trainer/failure.ts";
import { fromTemplate, part } from "./parts.ts";

/**
 * The backends worth a retry after `failure`: none unless the failure says another backend might
 * work; else every available one other than the one that failed.
 * @param active the backend in use when the failure's own is unknown
 */
export function retryBackends(failure: TrainerFailure, assessments: readonly BackendAssessment[], active: string | null): BackendName[] {
  if (!failure.retryOnOtherBackend) return [];
  const failed = failure.backend ?? active;
  return assessments.filter((a) => a.available && a.backend !== failed).map((a) => a.backend);
}

/** What the alert's buttons do. */
export interface FailureActions {
  /** Retry as before (`backend` undefined) or on another backend. */
  retry(backend?: BackendName): void;
}

/** Bind the panel's failure alert (`[data-part=failure]` inside `root`). */
export function createFailureView(root: HTMLElement, actions: FailureActions) {
  const box = part(root, "failure");
  const message = part(box, "failure-message");
  const detail = part(box, "failure-detail");
  const buttons = part(box, "failure-actions");
  const retry = part<HTMLButtonElement>(box, "retry");
  retry.addEventListener("click", () => actions.retry());
  buttons.addEventListener("click", (event) => {
    const other = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-retry-backend]") : null;
    if (other) actions.retry(other.dataset.retryBackend as BackendName);
  });

  return {
    /** Show a failure, with a retry button per backend in `others`. */
    show(failure: TrainerFailure, others: readonly BackendName[]): void {
      message.textContent = failure.message;
      detail.textContent = failure.detail;
      buttons.replaceChildren(
        retry,
        ...others.map((backend) => {
          const t = fromTemplate<HTMLButtonElement>(root, "retry-backend");
          t.node.textContent = `Retry on ${BACKEND_LABELS[backend]}`;
          t.node.dataset.retryBackend = backend;
          return t.node;
        }),
      );
      box.dataset.kind = failure.kind;
      box.hidden = false;
    },
    /** Hide the alert (a new run starts). */
    hide(): void {
      box.hidden = true;
    },
  };
}

/** The failure view's type. */
export type FailureView = ReturnType<typeof createFailureView>;
