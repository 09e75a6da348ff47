package job

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/laminar-sql/laminar/runtime/errcode"
)

// lockFileName is the file in the state dir that a running job holds an
// exclusive lock on: two instances writing one state dir would interleave
// checkpoints, WAL appends and epoch files and ruin it for good.
const lockFileName = "LOCK"

// lockStateDir takes the state dir's lock, creating the directory, and
// writes this process's pid into the lock file for the message a second
// instance prints. The lock goes with the process, so a killed job never
// leaves a stale lock behind. unlock releases it (once, however often it
// is called). A second holder gets an LDB-5001 error naming the first
// one's pid.
func lockStateDir(dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state dir: locking %s: %w", path, err)
	}
	if !held {
		f.Close()
		holder := "another process"
		if pid, ok := holderPid(path); ok {
			holder = fmt.Sprintf("pid %d", pid)
		}
		return nil, errcode.Errorf(errcode.StateDirLocked, "state dir %s is in use by another instance of the job (%s); stop it first, or give this one another --state-dir", dir, holder)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	var once sync.Once
	return func() { once.Do(func() { unlockFile(f); f.Close() }) }, nil
}

// holderPid reads the pid the lock's holder wrote. A holder that has just
// taken the lock may not have written it yet (two instances started
// together), so an empty file is read again for a short while.
func holderPid(path string) (int, bool) {
	deadline := time.Now().Add(500 * time.Millisecond)
	for {
		data, _ := os.ReadFile(path)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			return pid, true
		}
		if time.Now().After(deadline) {
			return 0, false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
