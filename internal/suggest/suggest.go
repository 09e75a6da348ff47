// Package suggest finds the name a misspelt one was probably meant to be,
// for the "did you mean" hints of the compiler, laminarc and job binaries.
package suggest

// Closest is the candidate nearest to name by edit distance, if it is near
// enough to be a typo of it (at most a third of its letters off), or "".
func Closest(name string, candidates []string) string {
	best, bestDist := "", len([]rune(name))/3+1
	for _, c := range candidates {
		if d := Distance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
