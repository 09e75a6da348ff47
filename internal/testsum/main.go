// Command testsum reads `go test -json` on stdin, prints the package lines
// and the output of failed tests as go test does, and ends with a count: "N passed, N failed, N skipped". It
// exits 1 when a test or a package failed. make test pipes every go test
// through it and adds the counts up with -add.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type counts struct{ Passed, Failed, Skipped int }

func main() {
	total := flag.String("add", "", "add this run's counts to `FILE` (created if missing), then print the totals")
	flag.Parse()
	var c counts
	failed := false
	held := map[string][]string{} // output of each running test
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	lines, packages := 0, 0 // input lines, and results of whole packages
	for sc.Scan() {
		lines++
		line := sc.Bytes()
		var e event
		if json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Println(string(line)) // build errors and the like come as text
			continue
		}
		key := e.Package + " " + e.Test
		if e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
			packages++
		}
		switch e.Action {
		case "output":
			if e.Test == "" {
				if o := strings.TrimSpace(e.Output); o != "PASS" && o != "FAIL" && !strings.HasPrefix(o, "=== ") {
					fmt.Print(e.Output) // "ok  pkg  1.2s", build failures
				}
			} else {
				held[key] = append(held[key], e.Output) // shown if the test fails
			}
		case "build-output":
			fmt.Print(e.Output)
		case "build-fail":
			failed = true
		case "pass", "skip":
			if e.Test != "" {
				if e.Action == "pass" {
					c.Passed++
				} else {
					c.Skipped++
				}
			}
			delete(held, key)
		case "fail":
			failed = true
			if e.Test != "" {
				c.Failed++
				for _, o := range held[key] {
					fmt.Print(o)
				}
			} else {
				// The package failed with tests still running (a timeout's
				// panic, a crash): show what they had printed.
				for k, out := range held {
					if strings.HasPrefix(k, e.Package+" ") {
						for _, o := range out {
							fmt.Print(o)
						}
						delete(held, k)
					}
				}
			}
			delete(held, key)
		}
	}
	if lines > 0 && packages == 0 {
		// go test printed something yet reported no package: it failed
		// before testing (a stale go.mod, a build setup error)
		fmt.Println("testsum: no test results in the input above: the go command failed before running the tests")
		failed = true
	}
	if *total != "" {
		var sum counts
		if data, err := os.ReadFile(*total); err == nil {
			json.Unmarshal(data, &sum)
		}
		sum.Passed += c.Passed
		sum.Failed += c.Failed
		sum.Skipped += c.Skipped
		data, _ := json.Marshal(sum)
		os.WriteFile(*total, data, 0o644)
		c = sum
	}
	fmt.Printf("== tests so far: %d passed, %d failed, %d skipped\n", c.Passed, c.Failed, c.Skipped)
	if failed {
		os.Exit(1)
	}
}
