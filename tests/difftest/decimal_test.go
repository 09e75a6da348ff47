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
		fcs = append(fcs, GenDecimalCase(rand.New(rand.NewPCG(seed, seed^0xdec1)), fmt.Sprintf("dec_seed%d", seed)))
	}
	runFuncCases(t, "dec", fcs)
}
