//go:build !linux

package job

// threadCPU is not measured outside Linux.
func threadCPU() int64 { return 0 }
