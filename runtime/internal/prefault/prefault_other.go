//go:build !linux

package window

import "unsafe"

// prefault does nothing off Linux (see prefault_linux.go).
func prefault(p unsafe.Pointer, n uintptr) {}
