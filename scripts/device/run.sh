#!/usr/bin/env bash
# Runs on a GPU machine (see docs/gpu.md), from the repository root, with .device/carry made by
# scripts/device/prepare.sh carried along. Needs only bash, python3 (for lzma) and dpkg there:
# unpacks Node, Dawn and the data, installs Debian's Vulkan loader, points Vulkan at the NVIDIA
# driver, then profiles a training step (project and stock kernels) and runs the WebGPU benchmark.
# Results go to $OUT (the device tool's output folder; .device/out when unset).
#   bash scripts/device/run.sh [--reproduce]   --reproduce also trains cnn-32-64-3-64 (quick preset)
set -euo pipefail
cd "$(dirname "$0")/../.."
carry="$PWD/.device/carry"
out="${OUT:-$PWD/.device/out}"
work="${DEVICE_WORK:-/tmp/fml-device}"
mkdir -p "$out" "$work"
[ -f "$carry/SHA256SUMS" ] || { echo "run: $carry is missing: run scripts/device/prepare.sh and carry .device/carry" >&2; exit 1; }
(cd "$carry" && sha256sum -c --quiet SHA256SUMS)

# 1. Decompress every .xz into $work (the same relative paths, without .xz); copy the rest.
python3 - "$carry" "$work" <<'PY'
import lzma, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for folder, _, files in os.walk(src):
    for name in files:
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, src)
        target = os.path.join(dst, rel[:-3] if rel.endswith(".xz") else rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if rel.endswith(".xz"):
            with lzma.open(path) as f, open(target, "wb") as g:
                shutil.copyfileobj(f, g, 1 << 20)
        else:
            shutil.copyfile(path, target)
PY
chmod +x "$work/node"
node="$work/node"
echo "run: $("$node" --version) unpacked in $work"

# 2. Vulkan: Debian's loader, and the NVIDIA driver's ICD.
if [ "$(id -u)" = 0 ]; then
  dpkg -x "$work"/libvulkan1_*.deb / && ldconfig
else
  dpkg -x "$work"/libvulkan1_*.deb "$work/vulkan"
  export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
if [ ! -f "${VK_ICD_FILENAMES%%:*}" ]; then
  echo "run: VK_ICD_FILENAMES=$VK_ICD_FILENAMES does not exist; ICD files found:" >&2
  find / -xdev -name '*icd*.json' -path '*vulkan*' 2>/dev/null | head >&2 || true
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt" || true

# 3. Measurements: kernel time per kernel (project vs stock), then training/inference images/s.
app="$work/app"
"$node" "$app/profile-step.mjs" --backend webgpu --json "$out/profile-webgpu.json" | tee "$out/profile-webgpu.txt"
"$node" "$app/profile-step.mjs" --backend webgpu --stock --json "$out/profile-webgpu-stock.json" | tee "$out/profile-webgpu-stock.txt"
"$node" "$app/bench.mjs" --backends webgpu --json "$out/bench-webgpu.json" | tee "$out/bench-webgpu.txt"

# 4. Optionally a real run: prepare the data from the raw IDX files and train one row.
if [ "${1:-}" = "--reproduce" ]; then
  "$node" "$app/data.mjs" --from "$work/idx" --out "$work/prepared"
  "$node" "$app/reproduce.mjs" cnn-32-64-3-64 --preset quick --backend webgpu --data "$work/prepared" --out "$out/runs" | tail -n 20
fi
echo "run: results in $out"
