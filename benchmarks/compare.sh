#!/usr/bin/env bash
# Times one ClusterGAN training iteration in Go (trainer.BenchmarkIteration, pure-Go backend) and
# in the PyTorch reference (benchmarks/pytorch/clustergan_bench.py) on this machine, and prints
# one table: case, Go ms/iter, PyTorch ms/iter, Go/PyTorch.
#
# Settings (environment variables; `make bench-compare VAR=value` passes them too):
#   CASES        cases to run, space- or comma-separated (default: all seven)
#   GO_ITERS     timed Go iterations per case, "case=N ..." (default below); Go's -benchtime Nx
#                also runs one extra round of 1 iteration first, and compiles before each round
#   TORCH_ITERS  timed PyTorch iterations: N, or "case=N,..." (default: the script's own)
#   TORCH_WARMUP untimed PyTorch iterations before timing (default 3)
#   THREADS      PyTorch intra-op threads (default: the number of cores, nproc)
#   PYTHON       interpreter with torch (default: python3 if it imports torch, else /usr/bin/python3)
#   GOMLX_BACKEND  default go:parallelism=-1 (see Makefile TEST_ENV)
set -euo pipefail

cd "$(dirname "$0")/.."

ALL_CASES="mlp-default mlp-default-beta-x mlp-default-beta-mi mlp-conv-encoder mlp-wgan-gp-1critic conv-paper-1critic conv-paper-5critic"
CASES=${CASES:-$ALL_CASES}
CASES=${CASES//,/ }
GO_ITERS=${GO_ITERS:-"mlp-default=20 mlp-default-beta-x=20 mlp-default-beta-mi=20 mlp-conv-encoder=20 mlp-wgan-gp-1critic=20 conv-paper-1critic=3 conv-paper-5critic=2"}
TORCH_ITERS=${TORCH_ITERS:-}
TORCH_WARMUP=${TORCH_WARMUP:-3}
THREADS=${THREADS:-$(nproc)}
GO=${GO:-go}
export GOMLX_BACKEND=${GOMLX_BACKEND:-go:parallelism=-1}

source benchmarks/torch_python.sh

for c in $CASES; do
	[[ " $ALL_CASES " == *" $c "* ]] || { echo "compare.sh: unknown case $c; valid: $ALL_CASES" >&2; exit 1; }
done

go_iters() { # go_iters case → N from GO_ITERS (default 2)
	local item
	for item in ${GO_ITERS//,/ }; do
		[[ $item == "$1="* ]] && { echo "${item#*=}"; return; }
	done
	echo 2
}

cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
echo "# machine: ${cpu:-unknown CPU}, $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "# $($GO version | cut -d' ' -f3-), GoMLX $(awk '$1 == "github.com/gomlx/gomlx" {print $2}' go.mod), GOMLX_BACKEND=$GOMLX_BACKEND"
deb=$(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || true)
echo "# PyTorch $("$PYTHON" -c 'import torch; print(torch.__version__)')${deb:+ (Debian python3-torch $deb)}, threads $THREADS, $PYTHON, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"

declare -A go_ms torch_ms
for c in $CASES; do
	n=$(go_iters "$c")
	echo "# Go $c: $n iterations" >&2
	out=$($GO test -run '^$' -bench "^BenchmarkIteration\$/^$c\$" -benchtime "${n}x" -timeout 60m ./trainer/ 2>&1) || {
		echo "$out" >&2
		echo "compare.sh: Go benchmark $c failed" >&2
		exit 1
	}
	ns=$(awk -v c="BenchmarkIteration/$c" 'index($1, c) == 1 && $4 == "ns/op" {v = $3} END {print v}' <<<"$out")
	[[ -n $ns ]] || { echo "$out" >&2; echo "compare.sh: no ns/op for $c" >&2; exit 1; }
	go_ms[$c]=$(awk -v ns="$ns" 'BEGIN {printf "%.1f", ns / 1e6}')
	echo "# Go $c: ${go_ms[$c]} ms/iter" >&2

	args=(--cases "$c" --threads "$THREADS" --warmup "$TORCH_WARMUP")
	[[ -n $TORCH_ITERS ]] && args+=(--iters "$TORCH_ITERS")
	out=$("$PYTHON" benchmarks/pytorch/clustergan_bench.py "${args[@]}")
	ms=$(awk '$1 == "RESULT" {for (i = 2; i <= NF; i++) if ($i ~ /^ms_per_iter=/) {sub(/^ms_per_iter=/, "", $i); v = $i}} END {print v}' <<<"$out")
	[[ -n $ms ]] || { echo "$out" >&2; echo "compare.sh: no PyTorch result for $c" >&2; exit 1; }
	torch_ms[$c]=$(awk -v ms="$ms" 'BEGIN {printf "%.1f", ms}')
	echo "# PyTorch $c: ${torch_ms[$c]} ms/iter" >&2
done

echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
printf '| %-20s | %12s | %16s | %10s |\n' case "Go ms/iter" "PyTorch ms/iter" "Go/PyTorch"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..22})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..18})" "$(printf -- '-%.0s' {1..12})"
for c in $CASES; do
	ratio=$(awk -v g="${go_ms[$c]}" -v t="${torch_ms[$c]}" 'BEGIN {printf "%.2f", g / t}')
	printf '| %-20s | %12s | %16s | %10s |\n' "$c" "${go_ms[$c]}" "${torch_ms[$c]}" "$ratio"
done
