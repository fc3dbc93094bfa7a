#!/usr/bin/env bash
# Times the MNIST program on a GPU through GoMLX's XLA backend, with the PJRT CUDA plugin of an
# installed jax-cuda13-pjrt (or jax-cuda12-pjrt) Python package: no download is needed.
#
#   CGO_ENABLED=1 go build -o bin/mnist ./experiments/mnist     # on any linux/amd64 machine
#   benchmarks/xla/run.sh OUT_DIR [BINARY] [DATA_DIR]           # on the GPU machine
#
# BINARY defaults to bin/mnist; DATA_DIR to a directory holding the four MNIST .gz files (the
# program's default search applies when empty). PJRT_PLUGIN overrides the plugin's path.
# It runs, each with a time limit:
#   1. a smoke run of the quick preset (50 iterations), which shows the plugin loads;
#   2. the paper preset (conv nets, WGAN-GP, 5 critic steps) for PAPER_STEPS iterations (4000);
#   3. the default preset in full, tracking the test split for a purity-vs-time curve.
# Logs, metrics.jsonl and results.json of each land in OUT_DIR; iterations/s are computed from the
# training time that metrics.jsonl records at each evaluation (compilation and evaluation excluded).
set -u
out=${1:?usage: benchmarks/xla/run.sh OUT_DIR [BINARY] [DATA_DIR]}
bin=${2:-bin/mnist}
data=${3:-}
paper_steps=${PAPER_STEPS:-4000}
mkdir -p "$out"
runs=$(mktemp -d)
exec > >(tee "$out/xla.log") 2>&1

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
plugin=${PJRT_PLUGIN:-}
if [ -z "$plugin" ]; then
  for pkg in xla_cuda13 xla_cuda12; do
    plugin=$(python3 -c "import glob, os, jax_plugins.$pkg as p; print(glob.glob(os.path.join(os.path.dirname(p.__file__), '*.so'))[0])" 2>/dev/null) && break
  done
fi
if [ -z "$plugin" ] || [ ! -f "$plugin" ]; then
  echo "no PJRT CUDA plugin found: install jax-cuda13-pjrt or set PJRT_PLUGIN" >&2
  exit 1
fi
echo "plugin: $plugin"
# An absolute path selects the plugin directly; GoMLX then neither searches nor auto-installs.
# GOPJRT_CUDA_CHECKS=0: go-xla v0.1.4 only warns about the missing nvidia/ folder for this layout.
export GOMLX_BACKEND="xla:$plugin" GOMLX_NO_AUTO_INSTALL=1 GOPJRT_CUDA_CHECKS=0

args=(-runs="$runs")
[ -n "$data" ] && args+=(-data_dir="$data")

run() { # name, time limit in seconds, then the program's flags
  local name=$1 limit=$2
  shift 2
  echo "=== $name: $bin $*"
  local start=$SECONDS
  timeout "$limit" "$bin" "${args[@]}" -name="$name" "$@"
  local rc=$?
  echo "=== $name: exit $rc after $((SECONDS - start)) s"
  for f in metrics.jsonl results.json; do
    [ -f "$runs/$name/$f" ] && cp "$runs/$name/$f" "$out/$name-$f"
  done
  rate "$runs/$name/metrics.jsonl"
  return $rc
}

rate() { # iterations/s between the first and the last evaluation, from train_s
  [ -f "$1" ] || return 0
  python3 - "$1" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if '"event":"eval"' in l]
ev = [e for e in ev if "train_s" in e]
if len(ev) >= 2:
    a, b = ev[0], ev[-1]
    r = (b["step"] - a["step"]) / (b["train_s"] - a["train_s"])
    print(f"rate: {r:.1f} it/s ({1000 / r:.2f} ms/it) over iterations {a['step']}..{b['step']}; "
          f"first {a['step']} iterations incl. compilation: {a['train_s']:.1f} s")
    print(f"500000 iterations at this rate: {500000 / r / 3600:.2f} h")
for e in ev:
    m = e.get("metrics", {})
    print(f"  eval @{e['step']}: train {e['train_s']:.1f} s, wall {e['elapsed_s']:.1f} s, "
          f"val purity {m.get('val_purity')}, test purity {m.get('eval_purity')}")
EOF
}

run smoke 120 -preset=quick -methods=clustergan -set="train_steps=50; eval_every=25" || {
  echo "smoke run failed; retrying with XLA_FLAGS=--xla_gpu_cuda_data_dir=/usr/local/cuda"
  export XLA_FLAGS="--xla_gpu_cuda_data_dir=/usr/local/cuda"
  run smoke 120 -preset=quick -methods=clustergan -set="train_steps=50; eval_every=25" || exit 1
}
run paper "${PAPER_LIMIT:-200}" -preset=paper -methods=clustergan \
  -set="train_steps=$paper_steps; eval_every=$((paper_steps / 8)); checkpoint_every=$paper_steps"
run default "${DEFAULT_LIMIT:-200}" -methods=clustergan,kmeans -set="track_eval_split=true"
rm -rf "$runs"
