//go:build !purego

// Package cpuid tells which vector instructions the runtime's assembly may
// use on this machine.
package cpuid

// AVX2 tells whether the CPU has AVX2 and the OS saves its registers.
var AVX2 = hasAVX2()

// hasAVX2 asks CPUID and XGETBV (cpuid_amd64.s).
func hasAVX2() bool
