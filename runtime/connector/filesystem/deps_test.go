package filesystem

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoArrow: the file sink links no Parquet library, so that a job
// writing CSV or JSON files stays small (the Parquet writer registers
// itself from runtime/connector/parquet).
func TestLinksNoArrow(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "arrow-go") || strings.Contains(dep, "/connector/parquet") {
			t.Errorf("runtime/connector/filesystem depends on %s", dep)
		}
	}
}
