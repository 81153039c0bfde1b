/**
 * `npm run reproduce -- ... --jobs N`: run tasks in up to N child processes at once, each child
 * `node scripts/reproduce.ts <row> --seeds <seed> --jobs 1 <options>`, with its output prefixed by
 * its label. Ctrl-C stops launching and asks every child to stop after its current batch (its
 * last finished epoch stays checkpointed); a second Ctrl-C kills them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { ReproduceTask } from "./reproduce-plan.ts";

/** How one child ended. */
export interface JobResult {
  task: ReproduceTask;
  /** Exit code (0 written, 130 interrupted, other: failed), or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Environment variable that tells a child it runs under a parent's --jobs (it then stops on SIGTERM, not SIGINT). */
export const CHILD_ENV = "REPRODUCE_CHILD";

/**
 * Run `tasks` with at most `jobs` children at once.
 * @param script path of scripts/reproduce.ts
 * @param argsOf the child's arguments for a task
 * @param log where prefixed child output and status lines go
 * @returns one result per started task, in the order they finished; tasks never started (after an
 *   interrupt) are left out
 */
export async function runJobs(
  tasks: readonly ReproduceTask[],
  jobs: number,
  script: string,
  argsOf: (task: ReproduceTask) => string[],
  log: (line: string) => void = console.log,
): Promise<{ results: JobResult[]; interrupted: boolean }> {
  const results: JobResult[] = [];
  const running = new Set<ChildProcess>();
  let next = 0;
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      log(`\ninterrupted: ${running.size} run(s) stop after their current batch (Ctrl-C again to kill them)`);
      for (const child of running) child.kill("SIGTERM");
    } else {
      for (const child of running) child.kill("SIGKILL");
    }
  };
  process.on("SIGINT", onSigint);
  try {
    await new Promise<void>((resolveAll) => {
      const launch = (): void => {
        while (interrupts === 0 && running.size < jobs && next < tasks.length) {
          const task = tasks[next++];
          const child = spawn(process.execPath, [script, ...argsOf(task)], {
            env: { ...process.env, [CHILD_ENV]: "1" },
            stdio: ["ignore", "pipe", "pipe"],
          });
          running.add(child);
          const prefix = `[${task.label}]`;
          for (const stream of [child.stdout, child.stderr])
            createInterface({ input: stream! }).on("line", (line) => {
              if (line.trim() !== "") log(`${prefix} ${line}`);
            });
          log(`${prefix} started (pid ${child.pid})`);
          child.on("error", (error) => log(`${prefix} could not run: ${error.message}`));
          child.on("close", (exitCode, signal) => {
            running.delete(child);
            // A child still loading when asked to stop has no SIGTERM handler yet and dies of the
            // signal: it was interrupted (its checkpoints, if any, are intact), not failed.
            const code = interrupts > 0 && signal === "SIGTERM" ? 130 : exitCode;
            results.push({ task, code, signal });
            log(`${prefix} ${code === 0 ? "finished" : code === 130 ? "interrupted" : `failed (${signal ?? `exit code ${code}`})`}`);
            launch();
          });
        }
        if (running.size === 0 && (interrupts > 0 || next >= tasks.length)) resolveAll();
      };
      launch();
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
  return { results, interrupted: interrupts > 0 };
}
