package sweeps

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		name string
		env  func(string) string
		want Shard
	}{
		{"slurm --array=0-7", env(EnvSlurmTaskID, "3", EnvSlurmTaskMin, "0", EnvSlurmTaskMax, "7", EnvSlurmTaskCount, "8"), Shard{3, 8}},
		{"slurm --array=1-8", env(EnvSlurmTaskID, "1", EnvSlurmTaskMin, "1", EnvSlurmTaskMax, "8", EnvSlurmTaskCount, "8"), Shard{0, 8}},
		{"slurm without COUNT", env(EnvSlurmTaskID, "8", EnvSlurmTaskMin, "1", EnvSlurmTaskMax, "8"), Shard{7, 8}},
		{"slurm --array=0-14:2", env(EnvSlurmTaskID, "6", EnvSlurmTaskMin, "0", EnvSlurmTaskMax, "14", EnvSlurmTaskStep, "2"), Shard{3, 8}},
		{"slurm step and COUNT", env(EnvSlurmTaskID, "14", EnvSlurmTaskMin, "0", EnvSlurmTaskCount, "8", EnvSlurmTaskStep, "2"), Shard{7, 8}},
		{"kubernetes", env(EnvJobCompletionIndex, "0", EnvShardCount, "4"), Shard{0, 4}},
		{"kubernetes last", env(EnvJobCompletionIndex, "3", EnvShardCount, "4"), Shard{3, 4}},
	} {
		got, err := ShardFromEnv(c.env)
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, got, c.name)
	}
	for _, c := range []struct {
		name string
		env  func(string) string
		want string
	}{
		{"nothing", env(), "-shard=auto: no shard in the environment: Slurm job arrays set SLURM_ARRAY_TASK_ID (sbatch --array=0-N), Kubernetes Indexed Jobs JOB_COMPLETION_INDEX (with CLUSTERGAN_SHARD_COUNT set to the Job's completions); elsewhere give -shard=i/n"},
		{"both", env(EnvSlurmTaskID, "1", EnvJobCompletionIndex, "1"), "both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set"},
		{"slurm no MIN", env(EnvSlurmTaskID, "1", EnvSlurmTaskCount, "4"), "-shard=auto: SLURM_ARRAY_TASK_MIN is not set"},
		{"slurm no count", env(EnvSlurmTaskID, "1", EnvSlurmTaskMin, "0"), "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX"},
		{"slurm not a number", env(EnvSlurmTaskID, "x", EnvSlurmTaskMin, "0"), `-shard=auto: SLURM_ARRAY_TASK_ID="x" is not an integer`},
		{"slurm list", env(EnvSlurmTaskID, "7", EnvSlurmTaskMin, "1", EnvSlurmTaskMax, "7", EnvSlurmTaskCount, "3"), "a Slurm array given as a list? use --array=0-N"},
		{"slurm off step", env(EnvSlurmTaskID, "3", EnvSlurmTaskMin, "0", EnvSlurmTaskMax, "14", EnvSlurmTaskStep, "2"), "is not a task of a range"},
		{"kubernetes no count", env(EnvJobCompletionIndex, "2"), "-shard=auto: CLUSTERGAN_SHARD_COUNT is not set (set it to the Job's completions in the manifest)"},
		{"kubernetes index too big", env(EnvJobCompletionIndex, "4", EnvShardCount, "4"), "JOB_COMPLETION_INDEX=4, CLUSTERGAN_SHARD_COUNT=4 do not give a shard"},
	} {
		_, err := ShardFromEnv(c.env)
		require.ErrorContains(t, err, c.want, c.name)
	}

	t.Setenv(EnvSlurmTaskID, "")
	t.Setenv(EnvJobCompletionIndex, "2")
	t.Setenv(EnvShardCount, "3")
	sh, err := ParseShard("auto")
	require.NoError(t, err)
	require.Equal(t, Shard{2, 3}, sh)
}
