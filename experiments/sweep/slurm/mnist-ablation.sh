#!/bin/bash
# The MNIST ablation sweep (experiments/sweep/mnist-ablation.sweep, 12 runs) as a Slurm job
# array: each of the 8 array tasks runs the points of its shard (-shard=auto reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT), all writing to one
# directory on a file system every node mounts.
#
#   cd clustergan && go build -o bin/sweep ./experiments/sweep     # once, on the shared file system
#   SWEEP_DIR=/shared/sweeps/mnist-ablation DATA_DIR=/shared/data/mnist sbatch experiments/sweep/slurm/mnist-ablation.sh
#   bin/sweep -report=/shared/sweeps/mnist-ablation                  # when every task has ended
#
# Tasks may start in any order, on any nodes, and be requeued or started again by hand: each
# point is run by the one process holding its run directory's lock; finished points are
# skipped and interrupted ones resumed from their checkpoints. A task whose node died leaves
# its lock to go stale (2 minutes without a heartbeat), after which a requeued task takes the
# point over; a task stopped by Slurm (SIGTERM) releases its locks at once. Without
# DATA_DIR, every node needs MNIST in its Go module cache or a way to download it.
#
#SBATCH --job-name=clustergan-ablation
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=clustergan-ablation-%A_%a.out
set -euo pipefail

cd "${SLURM_SUBMIT_DIR:-.}"            # the repository: the grid and preset paths below are relative to it
SWEEP_DIR=${SWEEP_DIR:?set SWEEP_DIR to a directory on the shared file system}
export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-4}
export GOMLX_BACKEND=${GOMLX_BACKEND:-go:parallelism=-1}

exec bin/sweep -shard=auto -dir="$SWEEP_DIR" ${DATA_DIR:+-data_dir="$DATA_DIR"} \
    -grid=file:experiments/sweep/mnist-ablation.sweep -methods=clustergan,kmeans \
    -preset=experiments/mnist/presets/default.settings \
    -set="track_eval_split=true; latent_map_points=0"
