// Package rundir owns the files of a run directory, each with a Go type, so that the programs
// that write them and the plots, reports, curves and notebooks that read them agree:
//
//	settings.txt   every parameter in -set syntax (Settings)
//	run.json       what ran, on which data, from which build (Info)
//	metrics.jsonl  one record per line: training losses, evaluations, results (Record)
//	results.json   the results table (Results), rewritten atomically after each method
//
// It also holds the rule that names a result row (RowName).
package rundir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/clustergan/clustergan/evaluation"
)

// File names inside a run directory.
const (
	SettingsFile = "settings.txt"
	InfoFile     = "run.json"
	MetricsFile  = "metrics.jsonl"
	ResultsFile  = "results.json"
)

// Events: the kinds of metrics.jsonl records.
const (
	EventTrain  = "train"
	EventEval   = "eval"
	EventResult = "result"
	EventReuse  = "reuse"
)

// Header is common to every metrics.jsonl record: its kind, the method that wrote it and when.
type Header struct {
	Event  string `json:"event"`
	Method string `json:"method,omitempty"`
	Time   string `json:"time,omitempty"` // RFC 3339, UTC
}

// Record is one line of metrics.jsonl.
type Record interface {
	header() *Header
	event() string
}

// TrainRecord holds the loss terms of one training iteration by name ("<phase>/<term>",
// unweighted, and "<phase>/total", see objectives.TermNames).
type TrainRecord struct {
	Header
	Step   int                `json:"step"`
	Losses map[string]float64 `json:"losses"`
}

// EvalRecord is one evaluation during training: the selection score (validation purity), the
// metrics computed with it, and the wall-clock time since training began, with and without the
// time spent in evaluations (time-to-accuracy curves).
type EvalRecord struct {
	Header
	Step           int                `json:"step"`
	Score          float64            `json:"score"`
	Metrics        map[string]float64 `json:"metrics"`
	BestStep       int                `json:"best_step"`
	ElapsedSeconds float64            `json:"elapsed_s"`
	TrainSeconds   float64            `json:"train_s"`
}

// ResultRecord is one result row as it was computed (results.json holds the table).
type ResultRecord struct {
	Header
	Row     string             `json:"row"`
	Metrics evaluation.Metrics `json:"metrics"`
	Extra   map[string]any     `json:"extra,omitempty"`
}

// ReuseRecord says that a method reused another's checkpoint instead of training.
type ReuseRecord struct {
	Header
	Checkpoint string `json:"checkpoint"`
}

func (r *TrainRecord) header() *Header  { return &r.Header }
func (r *EvalRecord) header() *Header   { return &r.Header }
func (r *ResultRecord) header() *Header { return &r.Header }
func (r *ReuseRecord) header() *Header  { return &r.Header }
func (*TrainRecord) event() string      { return EventTrain }
func (*EvalRecord) event() string       { return EventEval }
func (*ResultRecord) event() string     { return EventResult }
func (*ReuseRecord) event() string      { return EventReuse }

// MetricsLog appends records to a metrics.jsonl file; it is safe for concurrent use.
type MetricsLog struct {
	mu sync.Mutex
	f  *os.File
}

// OpenMetrics opens (creating it if needed) the metrics log at path for appending. A last line
// cut short by a crash or a full disk is completed with a newline first, so that the next
// record starts on a line of its own (readers skip the torn line).
func OpenMetrics(path string) (*MetricsLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return &MetricsLog{f: f}, nil
}

// Append writes rec as one line, tagged with the method and the current time.
func (l *MetricsLog) Append(method string, rec Record) error {
	h := rec.header()
	h.Event, h.Method, h.Time = rec.event(), method, time.Now().UTC().Format(time.RFC3339)
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.f.Write(append(line, '\n'))
	return err
}

// Logger returns a function that appends records tagged with method.
func (l *MetricsLog) Logger(method string) func(Record) error {
	return func(rec Record) error { return l.Append(method, rec) }
}

// Sync flushes the log to disk.
func (l *MetricsLog) Sync() error { return l.f.Sync() }

// Close closes the log.
func (l *MetricsLog) Close() error { return l.f.Close() }

// Metrics is a metrics.jsonl file read back, its records by kind in file order.
type Metrics struct {
	Train   []TrainRecord
	Eval    []EvalRecord
	Results []ResultRecord
	Reuse   []ReuseRecord
	// Skipped counts lines that were not records (a line torn by a crash).
	Skipped int
}

// ReadMetrics reads a metrics.jsonl file. Lines that do not parse are counted in Skipped, not
// errors: a kill can cut the last line of a log short.
func ReadMetrics(path string) (*Metrics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseMetrics(f)
}

// ParseMetrics reads metrics.jsonl records from r.
func ParseMetrics(r io.Reader) (*Metrics, error) {
	m := &Metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var h Header
		if json.Unmarshal(line, &h) != nil {
			m.Skipped++
			continue
		}
		var err error
		switch h.Event {
		case EventTrain:
			var rec TrainRecord
			if err = json.Unmarshal(line, &rec); err == nil {
				m.Train = append(m.Train, rec)
			}
		case EventEval:
			var rec EvalRecord
			if err = json.Unmarshal(line, &rec); err == nil {
				m.Eval = append(m.Eval, rec)
			}
		case EventResult:
			var rec ResultRecord
			if err = json.Unmarshal(line, &rec); err == nil {
				m.Results = append(m.Results, rec)
			}
		case EventReuse:
			var rec ReuseRecord
			if err = json.Unmarshal(line, &rec); err == nil {
				m.Reuse = append(m.Reuse, rec)
			}
		default:
			err = errors.New("unknown event")
		}
		if err != nil {
			m.Skipped++
		}
	}
	return m, sc.Err()
}

// Methods returns the methods that have training or evaluation records, in order of first
// appearance.
func (m *Metrics) Methods() []string {
	var out []string
	seen := map[string]bool{}
	add := func(method string) {
		if !seen[method] {
			seen[method] = true
			out = append(out, method)
		}
	}
	for _, r := range m.Train {
		add(r.Method)
	}
	for _, r := range m.Eval {
		add(r.Method)
	}
	return out
}

// TrainOf returns method's training records.
func (m *Metrics) TrainOf(method string) []TrainRecord {
	var out []TrainRecord
	for _, r := range m.Train {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// EvalOf returns method's evaluation records.
func (m *Metrics) EvalOf(method string) []EvalRecord {
	var out []EvalRecord
	for _, r := range m.Eval {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

// CopyMetrics appends to dst (created if needed) the records of src written by method, as they
// are (times included); a line that is not a record is left out.
func CopyMetrics(src, dst, method string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var kept []byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		var h Header
		if json.Unmarshal(line, &h) == nil && h.Method == method {
			kept = append(append(kept, line...), '\n')
		}
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(kept); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
