package suggest

import "testing"

func TestClosest(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"state-dri", "state-dir"}, {"batchsize", "batch-size"}, {"x", ""}, {"checkpoint", "checkpoint-interval"[:0]},
	} {
		if got := Closest(c.name, []string{"state-dir", "batch-size", "checkpoint-interval"}); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
	if d := Distance("dateTime", "dätetime"); d != 2 {
		t.Errorf("Distance counts runes: %d, want 2", d)
	}
}
