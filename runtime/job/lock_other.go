//go:build !unix

package job

import "os"

// tryLock does not lock where flock does not exist: one instance per state
// dir is then the user's care.
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlockFile(f *os.File) {}
