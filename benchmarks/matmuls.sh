#!/usr/bin/env bash
# Times the matrix products of one training iteration alone, in Go (trainer.BenchmarkIterationMatmuls,
# pure-Go backend) and in PyTorch (benchmarks/pytorch/matmuls.py, the same list of products), and
# prints one table: case, products, GFLOP per iteration, Go ms and GFLOP/s, PyTorch ms with 1 and
# with all threads, and Go over PyTorch's faster. The Go time is a floor for the whole iteration on
# the pure-Go backend: see docs/benchmarks.md, "Where the rest goes". PyTorch times are medians
# (its runs vary by up to 1.5× on a shared VM).
#
# Settings (environment variables; `make bench-matmuls VAR=value` passes them too):
#   CASES     Go sub-benchmarks to run, a regular expression (default: the MLP cases)
#   GO_ITERS  timed Go rounds (default 20)
#   PYTHON    interpreter with torch (default: python3 if it imports torch, else /usr/bin/python3)
set -euo pipefail

cd "$(dirname "$0")/.."

CASES=${CASES:-.}
GO_ITERS=${GO_ITERS:-20}
GO=${GO:-go}
export GOMLX_BACKEND=${GOMLX_BACKEND:-go:parallelism=-1}
source benchmarks/torch_python.sh

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
echo "# machine: ${cpu:-unknown CPU}, $(nproc) cores; $($GO version | cut -d' ' -f3-), GOMLX_BACKEND=$GOMLX_BACKEND"
out=$(CLUSTERGAN_MATMULS_JSON=$dir $GO test -run '^$' -bench "^BenchmarkIterationMatmuls\$/$CASES" -benchtime "${GO_ITERS}x" -timeout 60m ./trainer/ 2>&1) || {
	echo "$out" >&2
	echo "matmuls.sh: Go benchmark failed" >&2
	exit 1
}
declare -A go_ms go_gflops products gflop
while read -r name ns prod gf gfs; do
	go_ms[$name]=$(awk -v ns="$ns" 'BEGIN {printf "%.1f", ns / 1e6}')
	products[$name]=$prod gflop[$name]=$gf go_gflops[$name]=$gfs
done < <(awk '$1 ~ /^BenchmarkIterationMatmuls\// {
	name = $1; sub(/^BenchmarkIterationMatmuls\//, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") ns = $i
		if ($(i+1) == "products") p = $i
		if ($(i+1) == "GFLOP/iter") g = $i
		if ($(i+1) == "GFLOP/s") s = $i
	}
	print name, ns, p, g, s }' <<<"$out")
[[ ${#go_ms[@]} -gt 0 ]] || { echo "$out" >&2; echo "matmuls.sh: no Go results" >&2; exit 1; }

declare -A torch1 torchn
for threads in 1 "$(nproc)"; do
	while read -r name ms; do
		if [[ $threads == 1 ]]; then torch1[$name]=$ms; else torchn[$name]=$ms; fi
	done < <("$PYTHON" benchmarks/pytorch/matmuls.py --threads "$threads" "$dir"/*.json |
		awk '$1 == "RESULT" { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["case"], v["median_ms"] }')
done
echo "# PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)'), $PYTHON"
printf '| %-20s | %8s | %10s | %9s | %11s | %16s | %16s | %16s |\n' case products GFLOP/iter "Go ms" "Go GFLOP/s" "PyTorch ms, 1 t" "PyTorch ms, $(nproc) t" "Go/PyTorch best"
echo "|---|---|---|---|---|---|---|---|"
for c in $(printf '%s\n' "${!go_ms[@]}" | sort); do
	best=$(awk -v a="${torch1[$c]}" -v b="${torchn[$c]}" 'BEGIN {print (a < b ? a : b)}')
	ratio=$(awk -v g="${go_ms[$c]}" -v t="$best" 'BEGIN {printf "%.1f", g / t}')
	printf '| %-20s | %8s | %10s | %9s | %11s | %16s | %16s | %16s |\n' "$c" "${products[$c]}" "${gflop[$c]}" "${go_ms[$c]}" "${go_gflops[$c]}" "${torch1[$c]}" "${torchn[$c]}" "$ratio"
done
