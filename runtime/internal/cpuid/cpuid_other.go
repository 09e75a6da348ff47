//go:build !amd64 || purego

// Package cpuid tells which vector instructions the runtime's assembly may
// use on this machine.
package cpuid

// AVX2 is false: there is no AVX2 code for this architecture.
var AVX2 = false
