/**
 * scripts/lib/node-webgpu.ts in a child process each time (Vulkan picks its driver once per process):
 * a driver that does not exist gives a message naming VK_ICD_FILENAMES and what to install.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { swiftShaderWebGpuMissing } from "../../scripts/lib/node-webgpu.ts";

const missing = await swiftShaderWebGpuMissing();

function runInstall(env: Record<string, string>, options = "{}") {
  const code = `
    import { installNodeWebGpu } from "./scripts/lib/node-webgpu.ts";
    try { console.log(JSON.stringify(await installNodeWebGpu(${options}))); }
    catch (e) { console.log("ERROR " + e.name + ": " + e.message); }`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return run.stdout.trim();
}

describe.skipIf(missing !== null)(`installNodeWebGpu${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("explains a missing adapter: the ICD named, what to install and which variables to set", () => {
    const out = runInstall({ VK_ICD_FILENAMES: "/nonexistent/icd.json" });
    expect(out).toMatch(/^ERROR NodeWebGpuUnavailableError: Dawn found no WebGPU adapter/);
    expect(out).toContain("VK_ICD_FILENAMES=/nonexistent/icd.json, a file that does not exist");
    expect(out).toContain("npm install webgpu");
    expect(out).toContain("vk_swiftshader_icd.json");
  });

  it("finds SwiftShader's adapter when asked for it, and reports it as software", () => {
    const info = JSON.parse(runInstall({}, "{ swiftShader: true }")) as { adapter: string; software: boolean; icd: string };
    expect(info.software).toBe(true);
    expect(info.adapter).toMatch(/swiftshader/i);
    expect(info.icd).toBe("/usr/lib/chromium/vk_swiftshader_icd.json");
  });
});
