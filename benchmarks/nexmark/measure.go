package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// usage is what one child process cost.
type usage struct {
	Wall     time.Duration
	CPU      time.Duration // user + system
	MaxRSSKB int64
}

// perWall and perCPU turn a count of events into rates.
func (u usage) perWall(events int64) float64 { return rate(events, u.Wall) }
func (u usage) perCPU(events int64) float64  { return rate(events, u.CPU) }

func rate(events int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(events) / d.Seconds()
}

// runMeasured runs a command to completion and reports its wall time and,
// from the kernel's rusage of the child, its CPU time and peak RSS.
// stdout is returned; a failure carries the command's stderr.
func runMeasured(dir string, env []string, name string, args ...string) (usage, []byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return usage{}, stdout.Bytes(), fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return usage{}, nil, fmt.Errorf("no rusage for %s", name)
	}
	return usage{
		Wall:     wall,
		CPU:      time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		MaxRSSKB: ru.Maxrss, // kilobytes on Linux
	}, stdout.Bytes(), nil
}

// tail keeps the last n bytes of s, for error messages.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// median is the middle value (the lower of the two middle ones).
func median(xs []usage, by func(usage) float64) usage {
	if len(xs) == 0 {
		return usage{}
	}
	sorted := append([]usage(nil), xs...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && by(sorted[j]) < by(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	return sorted[(len(sorted)-1)/2]
}
