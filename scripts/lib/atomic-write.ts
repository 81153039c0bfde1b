/**
 * Atomic writes for the Node scripts: a file (or a folder of files) is written under a temporary
 * name beside its destination and renamed into place, so a reader, or a later run after Ctrl-C or
 * a crash, finds the old version, the whole new one, or nothing; never half a file.
 * Temporary names are `<destination>.<pid>-<counter>.tmp`.
 */
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Matches a temporary name; group 1 is the pid of the process that wrote it. */
const TEMPORARY_NAME = /\.(\d+)-\d+\.tmp$/;
let counter = 0;

/** A fresh temporary path beside `path`. */
function temporaryPath(path: string): string {
  return `${path}.${process.pid}-${++counter}.tmp`;
}

/**
 * Write `data` to `path` atomically, creating the parent folders; on failure the temporary file is
 * removed and `path` is left as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporaryPath(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Replace the folder `dir` with one holding exactly `files` (name -> contents): they are written
 * into a temporary folder beside it, which then takes the folder's place. Between removing the old
 * folder and the rename, `dir` is briefly absent, never partly written.
 */
export async function writeFolderAtomic(dir: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  const tmp = temporaryPath(dir);
  try {
    await mkdir(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(tmp, name), data);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the temporary files and folders that a killed process left in `dir` (not those of a
 * process still running). A missing folder has none.
 */
export async function removeStaleTemporaries(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const stale = names.filter((name) => {
    const pid = TEMPORARY_NAME.exec(name)?.[1];
    return pid !== undefined && !isRunning(Number(pid));
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { recursive: true, force: true })));
}
