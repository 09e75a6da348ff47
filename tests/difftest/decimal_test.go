package difftest

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
)

var (
	dseedFlag  = flag.Uint64("dseed", 1, "seed of the first random DECIMAL case; case i uses dseed+i")
	dcasesFlag = flag.Int("dcases", 40, "number of random DECIMAL queries, each over 3 data sets (10 with -short)")
	hseedFlag  = flag.Uint64("hseed", 1, "seed of the first random DECIMAL(p > 18) case; case i uses hseed+i")
	hcasesFlag = flag.Int("hcases", 40, "number of random DECIMAL(p > 18) queries, each over 3 data sets (10 with -short)")
)

// TestDecimalAgainstDuckDB runs random DECIMAL expressions and aggregates
// (GenDecimalCase), each over three data sets at batch sizes 1, 7 and 1024,
// against DuckDB: values and scales must match exactly.
func TestDecimalAgainstDuckDB(t *testing.T) {
	n := *dcasesFlag
	if testing.Short() {
		n = min(n, 10)
	}
	var fcs []funcCase
	for i := range n {
		seed := *dseedFlag + uint64(i)
		fcs = append(fcs, GenDecimalCase(rand.New(rand.NewPCG(seed, seed^0xdec1)), fmt.Sprintf("dec_seed%d", seed), false))
	}
	runFuncCases(t, "dec", fcs)
}

// TestWideDecimalAgainstDuckDB is TestDecimalAgainstDuckDB with
// DECIMAL(p > 18) values among the atoms (Laminar's 128-bit path, DuckDB's
// HUGEINT): arithmetic, casts, rounding, comparisons, GROUP BY keys and
// SUM/AVG/MIN/MAX over DECIMAL(38, s), retracted too.
func TestWideDecimalAgainstDuckDB(t *testing.T) {
	n := *hcasesFlag
	if testing.Short() {
		n = min(n, 10)
	}
	var fcs []funcCase
	for i := range n {
		seed := *hseedFlag + uint64(i)
		fcs = append(fcs, GenDecimalCase(rand.New(rand.NewPCG(seed, seed^0x128)), fmt.Sprintf("wide_seed%d", seed), true))
	}
	runFuncCases(t, "wide", fcs)
}
