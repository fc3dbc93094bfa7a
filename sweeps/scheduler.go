package sweeps

import (
	"fmt"
	"os"
	"strconv"
)

// Environment variables ShardFromEnv reads.
const (
	// Slurm job arrays (sbatch --array=MIN-MAX[:STEP]) set these in every task.
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmTaskMax   = "SLURM_ARRAY_TASK_MAX"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmTaskStep  = "SLURM_ARRAY_TASK_STEP"
	// Kubernetes Indexed Jobs (completionMode: Indexed) set the pod's index.
	EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"
	// EnvShardCount is the number of shards of a Kubernetes Indexed Job, which Kubernetes
	// does not pass to its pods: the manifest sets it to the Job's completions.
	EnvShardCount = "CLUSTERGAN_SHARD_COUNT"
)

// ShardFromEnv returns this process's shard from its scheduler's environment (getenv is
// os.Getenv, or a map's lookup in tests):
//
//   - a Slurm job array task: shard (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / STEP of
//     SLURM_ARRAY_TASK_COUNT tasks (else (MAX − MIN) / STEP + 1), so --array=0-7 and
//     --array=1-8 both give shards 0/8 … 7/8; arrays given as lists (--array=1,5,7) are
//     refused, their task ids not being a range;
//   - a Kubernetes Indexed Job's pod: shard JOB_COMPLETION_INDEX of CLUSTERGAN_SHARD_COUNT.
//
// Missing or inconsistent variables are an error naming them.
func ShardFromEnv(getenv func(string) string) (Shard, error) {
	slurm, k8s := getenv(EnvSlurmTaskID), getenv(EnvJobCompletionIndex)
	switch {
	case slurm != "" && k8s != "":
		return Shard{}, fmt.Errorf("-shard=auto: both %s and %s are set; give -shard=i/n", EnvSlurmTaskID, EnvJobCompletionIndex)
	case slurm != "":
		return slurmShard(getenv)
	case k8s != "":
		index, err := envInt(getenv, EnvJobCompletionIndex, true)
		if err != nil {
			return Shard{}, err
		}
		count, err := envInt(getenv, EnvShardCount, true)
		if err != nil {
			return Shard{}, fmt.Errorf("%w (set it to the Job's completions in the manifest)", err)
		}
		return checkShard(index, count, fmt.Sprintf("%s=%d, %s=%d", EnvJobCompletionIndex, index, EnvShardCount, count))
	}
	return Shard{}, fmt.Errorf("-shard=auto: no shard in the environment: Slurm job arrays set %s (sbatch --array=0-N), "+
		"Kubernetes Indexed Jobs %s (with %s set to the Job's completions); elsewhere give -shard=i/n",
		EnvSlurmTaskID, EnvJobCompletionIndex, EnvShardCount)
}

func slurmShard(getenv func(string) string) (Shard, error) {
	id, err := envInt(getenv, EnvSlurmTaskID, true)
	if err != nil {
		return Shard{}, err
	}
	lo, err := envInt(getenv, EnvSlurmTaskMin, true)
	if err != nil {
		return Shard{}, err
	}
	step, err := envInt(getenv, EnvSlurmTaskStep, false)
	if err != nil {
		return Shard{}, err
	}
	if step < 1 {
		step = 1
	}
	count, err := envInt(getenv, EnvSlurmTaskCount, false)
	if err != nil {
		return Shard{}, err
	}
	if count == 0 {
		hi, err := envInt(getenv, EnvSlurmTaskMax, false)
		if err != nil {
			return Shard{}, err
		}
		if getenv(EnvSlurmTaskMax) == "" {
			return Shard{}, fmt.Errorf("-shard=auto: %s is set but neither %s nor %s", EnvSlurmTaskID, EnvSlurmTaskCount, EnvSlurmTaskMax)
		}
		count = (hi-lo)/step + 1
	}
	what := fmt.Sprintf("%s=%d, %s=%d, step %d, %d tasks", EnvSlurmTaskID, id, EnvSlurmTaskMin, lo, step, count)
	if (id-lo)%step != 0 {
		return Shard{}, fmt.Errorf("-shard=auto: %s is not a task of a range; use --array=0-N", what)
	}
	return checkShard((id-lo)/step, count, what)
}

func checkShard(index, count int, what string) (Shard, error) {
	if count < 1 || index < 0 || index >= count {
		return Shard{}, fmt.Errorf("-shard=auto: %s do not give a shard i/n with 0 ≤ i < n (a Slurm array given as a list? use --array=0-N)", what)
	}
	return Shard{Index: index, Count: count}, nil
}

// envInt reads an integer variable; a missing one is 0, or an error when required.
func envInt(getenv func(string) string, name string, required bool) (int, error) {
	s := getenv(name)
	if s == "" {
		if required {
			return 0, fmt.Errorf("-shard=auto: %s is not set", name)
		}
		return 0, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("-shard=auto: %s=%q is not an integer", name, s)
	}
	return v, nil
}

// autoShard is ParseShard("auto").
func autoShard() (Shard, error) { return ShardFromEnv(os.Getenv) }
