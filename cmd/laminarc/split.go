package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/laminar-sql/laminar/codegen"
)

// splitOverride reads LAMINAR_SPLIT=MIN/SIZE: split pipelines of MIN
// operators and more into packages of SIZE operators (codegen.Split), in
// place of the defaults; tests use it to split small pipelines.
func splitOverride() (minOps, size int) {
	v := os.Getenv("LAMINAR_SPLIT")
	if v == "" {
		return 0, 0
	}
	a, b, _ := strings.Cut(v, "/")
	minOps, _ = strconv.Atoi(a)
	size, _ = strconv.Atoi(b)
	return minOps, size
}

// removeStalePackages deletes the generated files of the packages a
// previous compile split the job into (DIR/ops3/ops3.go, DIR/rows/rows.go)
// that this one no longer writes, and their directories when empty: a stale
// package would not build into the job, but go vet ./... would trip on it.
// Only files that start with the generated header go.
func removeStalePackages(dir string, files map[string][]byte) {
	dirs, _ := filepath.Glob(filepath.Join(dir, "ops[0-9]*"))
	dirs = append(dirs, filepath.Join(dir, "rows"))
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			rel := filepath.ToSlash(filepath.Join(filepath.Base(d), e.Name()))
			if _, keep := files[rel]; keep || !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			p := filepath.Join(d, e.Name())
			if data, err := os.ReadFile(p); err == nil && bytes.HasPrefix(data, []byte("// "+codegen.Header)) {
				os.Remove(p)
			}
		}
		os.Remove(d) // only if empty
	}
}
