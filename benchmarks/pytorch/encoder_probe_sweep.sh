#!/usr/bin/env bash
# Runs a sweep of benchmarks/pytorch/encoder_probe.py configurations in parallel on one GPU (each
# takes 1–3 minutes there; on a CPU run them one at a time with --dev cpu) and prints their RESULT
# lines, best first.
#
#   benchmarks/pytorch/encoder_probe_sweep.sh SWEEP OUT_DIR DATA_DIR
#
# SWEEP is 1 (variations of the default preset's encoder recipe, 10k steps, and IMSAT's MNIST
# setting, 14k steps) or 2 (ablations of IMSAT's setting towards the default preset's shapes, 6k
# steps). DATA_DIR holds the four MNIST .gz files (e.g. the GoMNIST module's data directory).
set -u
sweep=${1:?usage: encoder_probe_sweep.sh SWEEP OUT_DIR DATA_DIR}
out=${2:?usage: encoder_probe_sweep.sh SWEEP OUT_DIR DATA_DIR}
data=${3:?usage: encoder_probe_sweep.sh SWEEP OUT_DIR DATA_DIR}
limit=${LIMIT:-330}
py=${PYTHON:-python3}
probe="$(dirname "$0")/encoder_probe.py"
mkdir -p "$out"
log="$out/encoder-probe-$sweep.log"
: >"$log"
names=()
probe() { # name, then flags
  local name=$1
  shift
  names+=("$name")
  timeout "$limit" "$py" -u "$probe" --data "$data" --name "$name" "$@" >>"$log" 2>&1 &
}
imsat="--noaffine 1 --vat 0.25 --lam 0.1 --eta 4 --lr 2e-3 --beta1 0.9 --act relu"
case $sweep in
1)
  probe base
  probe seed2 --seed 2
  probe views2 --views 2
  probe views4 --views 4
  probe lr1e-3 --lr 1e-3
  probe bs256 --bs 256
  probe views2-lr1e-3-bs256 --views 2 --lr 1e-3 --bs 256
  probe h512 --hidden 512,512
  probe h1200 --hidden 1200,1200
  probe lam0.1-eta4 --lam 0.1 --eta 4
  probe strong-warp --rot 25 --scale 0.2 --shift 4
  probe steps30k --steps 30000 --every 3000
  probe warp+vat --vat 0.25
  probe vat-only --noaffine 1 --vat 0.25
  probe imsat $imsat --hidden 1200,1200 --bs 250 --steps 14000
  probe imsat+warp $imsat --noaffine 0 --hidden 1200,1200 --bs 250 --steps 14000
  ;;
2)
  s="--steps 6000"
  probe imsat $imsat $s --hidden 1200,1200 --bs 250
  probe imsat-h256 $imsat $s --hidden 256,256 --bs 250
  probe imsat-bs64 $imsat $s --hidden 1200,1200 --bs 64
  probe imsat-h512-bs64 $imsat $s --hidden 512,512 --bs 64
  probe small $imsat $s --hidden 256,256 --bs 64
  probe small-seed2 $imsat $s --hidden 256,256 --bs 64 --seed 2
  probe small-bs128 $imsat $s --hidden 256,256 --bs 128
  probe small-lrelu $imsat $s --hidden 256,256 --bs 64 --act lrelu
  probe small-bn0 $imsat $s --hidden 256,256 --bs 64 --bn 0
  probe small-lr1e-3 $imsat $s --hidden 256,256 --bs 64 --lr 1e-3
  probe small-adam2e-4 $imsat $s --hidden 256,256 --bs 64 --lr 2e-4 --beta1 0.5
  probe small-lam1-eta2 $imsat $s --hidden 256,256 --bs 64 --lam 1 --eta 2
  probe small-vat0.1 $imsat $s --hidden 256,256 --bs 64 --vat 0.1
  probe small-vat0.5 $imsat $s --hidden 256,256 --bs 64 --vat 0.5
  probe small-fixed-eps1.4 $imsat $s --hidden 256,256 --bs 64 --vatfix 1.4
  probe small+warp $imsat $s --hidden 256,256 --bs 64 --noaffine 0
  ;;
*)
  echo "SWEEP must be 1 or 2" >&2
  exit 2
  ;;
esac
wait
grep '^RESULT' "$log" | sort -k4 -r
grep -h 'eps mean' "$log" | head -1
grep -i 'Traceback\|Error' "$log" | head
