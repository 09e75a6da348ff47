//go:build !linux

package prefault

import "unsafe"

// Range does nothing off Linux (see prefault_linux.go).
func Range(p unsafe.Pointer, n uintptr) {}
