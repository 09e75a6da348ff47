package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/laminar-sql/laminar/runtime/job"
)

// Where a CPU sample that is in no operator's function went.
const (
	shareLoops      = "(source loops)" // decoding, and operators fused into the loop
	shareConnectors = "(connectors)"   // reading sources (the Nexmark generator too), writing sinks
	shareOther      = "(runtime)"      // checkpoints, GC, scheduling
)

// operatorFunc matches the generated functions that run one operator,
// rowOp3, pushOp3Left, closeOp3, emitOp3, saveOp3Groups, and captures its
// suffix (Op3), which job.OperatorStatus.Funcs names.
// In a job split into packages (codegen.Split) they are exported and live
// in laminar.job/<name>/ops<N>: ops0.(*Ops0).RowOp3, ops0.SaveOp3Groups.
var operatorFunc = regexp.MustCompile(`^(?:main|laminar\.job/[^/]+/ops[0-9]+)\.(?:\(\*(?:engine|Ops[0-9]+)\)\.)?[A-Za-z][a-z]*(Op[0-9]+)(?:[A-Z][A-Za-z]*)?(?:\.|$)`)

// splitPackage matches the functions of the packages a split job's code
// lives in besides main (codegen.Split): they are the engine's too.
var splitPackage = regexp.MustCompile(`^laminar\.job/[^/]+/(?:ops[0-9]+|rows|jobrows|laminarrows)\.`)

// generated reports whether a function is the job's generated code.
func generated(name string) bool {
	return strings.HasPrefix(name, "main.") || splitPackage.MatchString(name)
}

// timeShares splits the CPU time of a job's profile among its operators:
// a sample goes to the operator of the innermost generated function on its
// stack (an operator's emit calls its readers': each keeps its own) or of
// the innermost line of an operator fused into a source's loop, to the
// source loops when its generated frames belong to none, to the connectors
// when the runtime's readers and writers ran it, else to the runtime. It returns the share of each (by operator name) and the CPU time
// the profile holds.
func timeShares(data []byte, ops []job.OperatorStatus) (map[string]float64, time.Duration, error) {
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, 0, fmt.Errorf("the job's CPU profile: %w", err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, 0, fmt.Errorf("the job's profile holds no CPU samples")
	}
	own := owners{byFunc: map[string]string{}}
	for _, o := range ops {
		if o.Funcs != "" {
			own.byFunc[o.Funcs] = o.Name
		}
		if o.Lines[1] > 0 {
			own.fused = append(own.fused, fusedOp{o.Lines[0], o.Lines[1], o.Name})
		}
	}
	nanos := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[cpu]
		total += v
		nanos[own.of(s)] += v
	}
	shares := map[string]float64{}
	for k, v := range nanos {
		if total > 0 {
			shares[k] = float64(v) / float64(total)
		}
	}
	return shares, time.Duration(total), nil
}

// connectorPackages are the runtime's packages that read sources and write
// sinks, outside the generated code.
var connectorPackages = []string{"github.com/laminar-sql/laminar/runtime/connector", "github.com/laminar-sql/laminar/runtime/nexmark",
	"github.com/laminar-sql/laminar/runtime/format", "github.com/laminar-sql/laminar/runtime/wal"}

// owners say which operator ran a generated frame: by its function, or for
// an operator fused into its source's loop by the lines of its code.
type owners struct {
	byFunc map[string]string // "Op3" -> operator
	fused  []fusedOp
}

type fusedOp struct {
	from, to int32 // lines of pipeline.go
	name     string
}

func (own owners) of(s *profile.Sample) string {
	inEngine, inConnector := false, false
	for _, loc := range s.Location { // leaf first
		for _, line := range loc.Line { // innermost inlined call first
			if line.Function == nil {
				continue
			}
			name := line.Function.Name
			if m := operatorFunc.FindStringSubmatch(name); m != nil {
				if op, ok := own.byFunc[m[1]]; ok {
					return op
				}
			}
			if strings.HasPrefix(name, "main.") && strings.HasSuffix(line.Function.Filename, "pipeline.go") {
				for _, f := range own.fused {
					if int32(line.Line) >= f.from && int32(line.Line) <= f.to {
						return f.name
					}
				}
			}
			inEngine = inEngine || generated(name)
			for _, pkg := range connectorPackages {
				inConnector = inConnector || strings.HasPrefix(name, pkg)
			}
		}
	}
	switch {
	case inEngine:
		return shareLoops
	case inConnector:
		return shareConnectors
	}
	return shareOther
}

// fetchProfile takes a CPU profile of a running job through its admin
// server for d.
func fetchProfile(target string, d time.Duration) ([]byte, error) {
	url := adminURL(target, "/debug/pprof/profile") + fmt.Sprintf("?seconds=%d", max(int(d.Round(time.Second)/time.Second), 1))
	body, err := adminGet(url, d+30*time.Second)
	if errors.Is(err, errUnreachable) {
		return nil, fmt.Errorf("profiling %s: %v", target, err)
	}
	return body, err
}
