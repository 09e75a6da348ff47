package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The job cache holds one directory per build (its key): the generated
// source and the binary. It lives in LAMINAR_CACHE, by default the user
// cache directory's laminar/jobs ($XDG_CACHE_HOME or ~/.cache on Linux),
// and is kept under LAMINAR_CACHE_MAX (default 2GB) by removing the least
// recently used builds after each new one.
const defaultCacheMax = 2 << 30

// cacheMax reads LAMINAR_CACHE_MAX: bytes, or a number with KB, MB or GB.
func cacheMax() (int64, error) {
	v := strings.TrimSpace(os.Getenv("LAMINAR_CACHE_MAX"))
	if v == "" {
		return defaultCacheMax, nil
	}
	mult := int64(1)
	upper := strings.ToUpper(v)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			upper, mult = strings.TrimSpace(strings.TrimSuffix(upper, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(upper, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("LAMINAR_CACHE_MAX=%q: want a size such as 500MB or 2GB", v)
	}
	return int64(n * float64(mult)), nil
}

type cacheEntry struct {
	dir  string
	size int64
	used int64 // modification time of the directory: its last use
}

func cacheEntries(root string) ([]cacheEntry, error) {
	des, err := os.ReadDir(root)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []cacheEntry
	for _, de := range des {
		if !de.IsDir() {
			continue
		}
		dir := filepath.Join(root, de.Name())
		info, err := os.Stat(dir)
		if err != nil {
			continue
		}
		e := cacheEntry{dir: dir, used: info.ModTime().UnixNano()}
		filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if fi, err := d.Info(); err == nil {
					e.size += fi.Size()
				}
			}
			return nil
		})
		out = append(out, e)
	}
	return out, nil
}

// evictCache removes the least recently used builds until the cache fits
// its bound; keep (the build just made) stays.
func evictCache(root, keep string) {
	max, err := cacheMax()
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return
	}
	entries, err := cacheEntries(root)
	if err != nil {
		return
	}
	var total int64
	for _, e := range entries {
		total += e.size
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used < entries[j].used })
	for _, e := range entries {
		if total <= max {
			break
		}
		if e.dir == keep {
			continue
		}
		if os.RemoveAll(e.dir) == nil {
			total -= e.size
		}
	}
}

func cmdCache(args []string) int {
	const about = `laminarc cache dir     print the job cache's directory (LAMINAR_CACHE)
laminarc cache size    print its size and number of builds
laminarc cache clean   remove every cached build`
	if len(args) != 1 {
		fmt.Fprintf(os.Stderr, "Usage:\n%s\n", about)
		return exitPipeline
	}
	root, err := cacheDir()
	if err != nil {
		fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
		return exitRuntime
	}
	switch args[0] {
	case "dir":
		fmt.Println(root)
	case "size":
		entries, err := cacheEntries(root)
		if err != nil {
			fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
			return exitRuntime
		}
		var total int64
		for _, e := range entries {
			total += e.size
		}
		max, _ := cacheMax()
		fmt.Printf("%s: %.1f MB in %s (bound %.0f MB, LAMINAR_CACHE_MAX)\n", root, float64(total)/(1<<20),
			pluralize(len(entries), "build"), float64(max)/(1<<20))
	case "clean":
		entries, err := cacheEntries(root)
		if err != nil {
			fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
			return exitRuntime
		}
		for _, e := range entries {
			if err := os.RemoveAll(e.dir); err != nil {
				fmt.Fprintf(os.Stderr, "laminarc: %v\n", err)
				return exitRuntime
			}
		}
		fmt.Fprintf(os.Stderr, "laminarc: removed %s from %s\n", pluralize(len(entries), "cached build"), root)
	case "help", "-h", "--help":
		fmt.Println(about)
	default:
		fmt.Fprintf(os.Stderr, "laminarc cache: unknown subcommand %q\nUsage:\n%s\n", args[0], about)
		return exitPipeline
	}
	return exitOK
}

// pluralize is "1 build", "2 builds".
func pluralize(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
