package rundir

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clustergan/clustergan/evaluation"
	"github.com/clustergan/clustergan/internal/atomicfile"
)

// Results is results.json: the table of a run, one row per method and way of clustering.
type Results struct {
	Dir     string      `json:"dir"`
	Dataset string      `json:"dataset"`
	Split   string      `json:"split"`
	N       int         `json:"n"`
	Seed    int64       `json:"seed"`
	Backend string      `json:"backend,omitempty"`
	Rows    []ResultRow `json:"rows"`
}

// ResultRow is one row of the table.
type ResultRow struct {
	// Name is RowName(Recipe, Inference): what tables, reports and plots call the row.
	Name string `json:"name"`
	// Method is the registered method that produced the row ("clustergan").
	Method string `json:"method"`
	// Recipe names what was trained: the objective with its extra terms ("ClusterGAN + β_x").
	Recipe string `json:"recipe"`
	// Inference names how the data were clustered ("k-means on E(x)", "argmax").
	Inference string             `json:"inference,omitempty"`
	Metrics   evaluation.Metrics `json:"metrics"`
	// Generation is how well the generator's cluster k draws the class cluster k holds on real
	// data (GAN methods with a cluster code only).
	Generation   *evaluation.GenAgreement `json:"generation,omitempty"`
	TrainSeconds float64                  `json:"train_seconds"`
	WallSeconds  float64                  `json:"wall_seconds"`
	// Published is the published result of the same recipe, when the run's recipe is the
	// published one.
	Published *Published     `json:"published,omitempty"`
	Extra     map[string]any `json:"extra,omitempty"`
}

// RowName is the one rule that names a result row: the recipe, then how it clustered.
func RowName(recipe, inference string) string {
	if inference == "" {
		return recipe
	}
	return recipe + ", " + inference
}

// Published is a number someone published for a recipe, printed beside ours.
type Published struct {
	Source string `json:"source"`
	// Values by metric: "hungarian_acc", "purity", "nmi", "ari" (absent = not published).
	Values map[string]float64 `json:"values"`
	// Note says how the published protocol differs from the row's, if it does ("500k
	// iterations; NMI geometric").
	Note string `json:"note,omitempty"`
}

var publishedOrder = []struct{ key, label string }{
	{"hungarian_acc", "ACC"}, {"purity", "purity"}, {"nmi", "NMI"}, {"ari", "ARI"},
}

func (p *Published) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, m := range publishedOrder {
		if v, ok := p.Values[m.key]; ok {
			parts = append(parts, fmt.Sprintf("%s %.2f", m.label, v))
		}
	}
	s := strings.Join(parts, " ") + " (" + p.Source
	if p.Note != "" {
		s += "; " + p.Note
	}
	return s + ")"
}

// RowsOf returns the rows a method produced.
func (r *Results) RowsOf(method string) []ResultRow {
	if r == nil {
		return nil
	}
	var rows []ResultRow
	for _, row := range r.Rows {
		if row.Method == method {
			rows = append(rows, row)
		}
	}
	return rows
}

// ReadResults reads dir's results.json.
func ReadResults(dir string) (*Results, error) {
	path := filepath.Join(dir, ResultsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// WriteResults writes dir's results.json atomically.
func WriteResults(dir string, r *Results) error {
	return WriteJSON(filepath.Join(dir, ResultsFile), r)
}

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}
