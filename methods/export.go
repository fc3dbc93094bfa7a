package methods

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clustergan/clustergan/internal/atomicfile"
	"github.com/clustergan/clustergan/objectives"
	"github.com/clustergan/clustergan/rundir"
	"github.com/clustergan/clustergan/trainer"
)

// ExportModel copies the model that method trained in the run directory runDir into dst as a
// directory LoadModel reads like a run directory: <dst>/<method>/settings.txt and its
// checkpoint with the networks' weights only (no optimiser or RNG state: it cannot resume
// training), with dst/results.json holding the method's rows of the run (the numbers the model
// reproduces; rows of other methods exported there before are kept), dst/metrics.jsonl the
// method's records (its curves), dst/run.json the run's record (data files by base name and
// SHA-256) and dst/settings.txt its settings.
func ExportModel(runDir, method, dst string) error {
	if _, err := Get(method); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dst, method)); err == nil {
		return fmt.Errorf("export: %s already holds a %s model; remove it first", dst, method)
	}
	settings := filepath.Join(runDir, method, SettingsFile)
	text, err := os.ReadFile(settings)
	if err != nil {
		return fmt.Errorf("export: method %q trained no model in %s: %w", method, runDir, err)
	}
	ctx := DefaultContext()
	if err := rundir.ReadSettings(ctx, settings); err != nil {
		return err
	}
	tc, err := trainer.ConfigFromContext(ctx)
	if err != nil {
		return err
	}
	mc, err := ConfigFromContext(ctx)
	if err != nil {
		return err
	}
	src, err := ModelCheckpoint(filepath.Join(runDir, method, CheckpointsDir), tc.Steps, mc.Selection == SelectFinal)
	if err != nil {
		return err
	}
	if src == "" {
		return fmt.Errorf("export: no finished %s training in %s", method, runDir)
	}
	results, err := rundir.ReadResults(runDir)
	if err != nil {
		return err
	}
	info, err := rundir.ReadInfo(runDir)
	if err != nil {
		return err
	}
	rows := results.RowsOf(method)
	if len(rows) == 0 {
		return fmt.Errorf("export: %s has no results of %s", filepath.Join(runDir, rundir.ResultsFile), method)
	}
	ckptDir := filepath.Join(dst, method, CheckpointsDir)
	if err := os.MkdirAll(ckptDir, 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dst, method, SettingsFile), text); err != nil {
		return err
	}
	runSettings, err := os.ReadFile(filepath.Join(runDir, rundir.SettingsFile))
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dst, rundir.SettingsFile), runSettings); err != nil {
		return err
	}
	if err := trainer.SaveWeights(src, filepath.Join(ckptDir, filepath.Base(src)),
		objectives.Generator, objectives.Critic, objectives.Encoder); err != nil {
		return err
	}
	// Several methods of one run may be exported into dst: their rows are kept together.
	exported := *results
	exported.Dir, exported.Rows = "", nil
	if prev, err := rundir.ReadResults(dst); err == nil {
		for _, row := range prev.Rows {
			if row.Method != method {
				exported.Rows = append(exported.Rows, row)
			}
		}
	}
	exported.Rows = append(exported.Rows, rows...)
	if err := rundir.WriteResults(dst, &exported); err != nil {
		return err
	}
	if err := rundir.CopyMetrics(filepath.Join(runDir, rundir.MetricsFile), filepath.Join(dst, rundir.MetricsFile), method); err != nil {
		return err
	}
	// The run's paths belong to the machine it ran on: the files are named by base name and
	// SHA-256, which identify the data anywhere.
	for i := range info.Data {
		info.Data[i].Path = filepath.Base(info.Data[i].Path)
	}
	info.DataDir = ""
	return rundir.WriteInfo(dst, info)
}
