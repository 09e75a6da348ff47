package job

import (
	"syscall"
	"unsafe"
)

// threadCPU is the CPU time of the calling OS thread, in ns (0 when the
// clock cannot be read). A worker locked to its thread measures with it the
// work of its phases, which waiting at a barrier or for a core does not add
// to: the critical path of a round, whatever else runs on the machine.
func threadCPU() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return ts.Nano()
}
