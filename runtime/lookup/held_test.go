package lookup

import (
	"slices"
	"testing"
)

func TestHeldKeepsTheFirstRows(t *testing.T) {
	h := NewHeld[string, int]()
	found := []int{1, 2}
	h.Add("a", 1, found)
	found[0] = 9            // the caller's slice (a cache entry) may change: Held has its copy
	h.Add("a", 1, []int{7}) // a second copy joins what the first met
	if rows, ok := h.Get("a"); !ok || !slices.Equal(rows, []int{1, 2}) || h.Len() != 1 {
		t.Fatalf("Get(a) = %v, %v", rows, ok)
	}
	h.Add("a", -1, nil)
	if _, ok := h.Get("a"); !ok {
		t.Fatal("a has one copy left")
	}
	h.Add("a", -1, nil)
	if _, ok := h.Get("a"); ok || h.Len() != 0 {
		t.Fatal("a netted to zero and must go")
	}
	h.Add("b", 1, nil) // a row that met nothing (NULL-padded) is held too
	n := 0
	h.Each(func(r *string, w int64, rows []int) {
		n++
		if *r != "b" || w != 1 || len(rows) != 0 {
			t.Errorf("Each: %s %d %v", *r, w, rows)
		}
	})
	if n != 1 {
		t.Fatalf("Each saw %d rows", n)
	}
}
