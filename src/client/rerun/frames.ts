/** Task and frame boundaries, so that the panel's DOM work is spread over short tasks and frames. */

/** Resolve after the current task, so that the work after it runs in a task of its own. */
export const nextTask = (): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Resolve after the next frame has been rendered, so that DOM changes made after it lay out and
 * paint in a frame of their own.
 */
export const afterNextFrame = (): Promise<void> => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
