package runner

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Published is a number someone published for a (dataset, method) pair, to print beside ours.
type Published struct {
	Source string `json:"source"`
	// Values by metric name: "hungarian_acc", "purity", "nmi", "ari" (absent = not published).
	Values map[string]float64 `json:"values"`
}

// published holds reference numbers keyed by dataset, then by result row name. The paper's
// "ACC" is purity (see the reference doc's evaluation protocol).
var published = map[string]map[string]Published{
	"mnist": {
		// Mukherjee et al. 2019, Table 2 (test set; best run by validation purity).
		"clustergan (kmeans on E(x))": {Source: "paper, best run", Values: map[string]float64{"purity": 0.95, "nmi": 0.89, "ari": 0.89}},
		// scikit-learn KMeans(n_clusters=10, n_init=10) on the 10k test pixels (reference doc).
		"kmeans": {Source: "scikit-learn, test set", Values: map[string]float64{"hungarian_acc": 0.55, "nmi": 0.50, "ari": 0.38}},
		// Mukherjee et al. 2019, Table 2: InfoGAN on MNIST (ACC there is purity).
		"infogan (argmax Q)": {Source: "paper, InfoGAN row", Values: map[string]float64{"purity": 0.89, "nmi": 0.86}},
		// "gan-bp" (the paper's "WGAN-GP (backprop decoding)" row) has no entry: our reference
		// does not give its numbers.
	},
	"fashion-mnist": {
		"clustergan (kmeans on E(x))": {Source: "paper, best run", Values: map[string]float64{"purity": 0.63, "nmi": 0.64, "ari": 0.50}},
		"kmeans":                      {Source: "paper", Values: map[string]float64{"purity": 0.47, "nmi": 0.51}},
	},
	"pendigits": {
		"clustergan (kmeans on E(x))": {Source: "paper, best run", Values: map[string]float64{"purity": 0.77, "nmi": 0.73}},
		"kmeans":                      {Source: "paper", Values: map[string]float64{"purity": 0.79, "nmi": 0.73}},
	},
}

// PublishedFor returns the published reference for a result row, or nil.
func PublishedFor(dataset, row string) *Published {
	if p, ok := published[dataset][row]; ok {
		return &p
	}
	return nil
}

var metricOrder = []struct{ key, label string }{
	{"hungarian_acc", "ACC"}, {"purity", "purity"}, {"nmi", "NMI"}, {"ari", "ARI"},
}

func (p *Published) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, m := range metricOrder {
		if v, ok := p.Values[m.key]; ok {
			parts = append(parts, fmt.Sprintf("%s %.2f", m.label, v))
		}
	}
	return strings.Join(parts, " ") + " (" + p.Source + ")"
}

// PrintTable prints the report as an aligned table: method, Hungarian ACC, purity, NMI, ARI,
// train and wall time, and the published numbers beside ours.
func PrintTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "%s, %s split (n=%d), seed %d", r.Dataset, r.Split, r.N, r.Seed)
	if r.Backend != "" {
		fmt.Fprintf(w, ", backend %s", r.Backend)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "method\tACC\tpurity\tNMI\tARI\ttrain\twall\tpublished")
	for _, row := range r.Rows {
		m := row.Metrics
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s\t%s\n", row.Method, m.ACC, m.Purity, m.NMI, m.ARI,
			seconds(row.TrainSeconds), seconds(row.WallSeconds), row.Paper.String())
	}
	tw.Flush()
	fmt.Fprintln(w, "ACC: Hungarian (one-to-one) accuracy; purity: each cluster takes its majority label (the paper's \"ACC\").")
}

func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(100 * time.Millisecond).String()
}
