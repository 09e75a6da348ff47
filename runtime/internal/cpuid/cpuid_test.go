package cpuid

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestAVX2MatchesCPUInfo: on Linux/amd64, AVX2 is what /proc/cpuinfo
// lists (the kernel lists avx2 only when it saves the YMM registers).
func TestAVX2MatchesCPUInfo(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("reads /proc/cpuinfo of Linux on amd64")
	}
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "flags") {
			continue
		}
		want := false
		for _, f := range strings.Fields(line) {
			want = want || f == "avx2"
		}
		if AVX2 != want {
			t.Fatalf("AVX2 = %v, /proc/cpuinfo lists avx2: %v", AVX2, want)
		}
		return
	}
	t.Skip("no flags in /proc/cpuinfo")
}
