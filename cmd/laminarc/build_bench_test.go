package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkBuildWarm times `laminarc build` of a changed pipeline with a warm
// Go build cache: each iteration edits a literal, so laminarc's own job
// cache misses and the Go toolchain really builds. Target: under 2 s.
func BenchmarkBuildWarm(b *testing.B) {
	dir := b.TempDir()
	b.Setenv("LAMINAR_CACHE", filepath.Join(dir, "cache"))
	src, err := os.ReadFile("../../generated_examples/vwap/query.sql")
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(dir, "vwap.sql")
	build := func(i int) {
		if err := os.WriteFile(p, []byte(editDelay(string(src), i)), 0o644); err != nil {
			b.Fatal(err)
		}
		if code := run([]string{"build", p, "-o", filepath.Join(dir, "job")}); code != exitOK {
			b.Fatalf("build exited %d", code)
		}
	}
	build(-1) // warm the Go build cache for the runtime
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		build(i)
	}
}

// editDelay changes the watermark delay, so the generated code differs.
func editDelay(sql string, i int) string {
	return strings.Replace(sql, "INTERVAL '5' SECOND", fmt.Sprintf("INTERVAL '%d' MILLISECOND", 5000+i+2), 1)
}
