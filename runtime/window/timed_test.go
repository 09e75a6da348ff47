package window

import "testing"

func TestTimedSetRetractsFirstAndLast(t *testing.T) {
	var m TimedSet[string]
	m.Add(20, "b", 1)
	m.Add(10, "a", 1)
	m.Add(30, "c", 1)
	m.Add(30, "d", 1)
	if v, _ := m.First(); v != "a" {
		t.Fatalf("first %q", v)
	}
	if v, _ := m.Last(); v != "d" { // a tie at the latest time: the greatest value
		t.Fatalf("last %q", v)
	}
	m.Add(10, "a", -1)
	m.Add(30, "d", -1)
	if v, _ := m.First(); v != "b" {
		t.Fatalf("first after retraction %q", v)
	}
	if v, _ := m.Last(); v != "c" {
		t.Fatalf("last after retraction %q", v)
	}
	pairs, counts := m.Sorted()
	if len(pairs) != 2 || pairs[0] != (Timed[string]{20, "b"}) || counts[1] != 1 {
		t.Fatalf("sorted %v %v", pairs, counts)
	}
	m.Add(20, "b", -1)
	m.Add(30, "c", -1)
	if _, ok := m.First(); ok {
		t.Fatal("empty set has a first value")
	}
}

func TestMomentsIgnoreHistory(t *testing.T) {
	var a, b Multiset[float64]
	for _, x := range []float64{0.1, 0.2, 0.3, 1e9, 0.4} {
		a.Add(x, 1)
	}
	a.Add(1e9, -1)
	for _, x := range []float64{0.4, 0.3, 0.2, 0.1} {
		b.Add(x, 1)
	}
	n1, q1 := Moments(&a)
	n2, q2 := Moments(&b)
	if n1 != 4 || n1 != n2 || q1 != q2 {
		t.Fatalf("(%d, %v) and (%d, %v): the same values must give the same moments", n1, q1, n2, q2)
	}
}

func TestDistinctSetCountsPerBit(t *testing.T) {
	var d DistinctSet[int64, uint8]
	d.Add(1, 0b011)
	d.Add(1, 0b001)
	d.Add(2, 0b101)
	d.Add(1, 0b100)
	if d.Count(0) != 2 || d.Count(1) != 1 || d.Count(2) != 2 || d.Count(9) != 0 {
		t.Fatalf("counts %v", d.counts)
	}
	vals, masks := d.Sorted()
	var back DistinctSet[int64, uint8]
	for i, v := range vals {
		back.Add(v, masks[i])
	}
	if back.Count(0) != 2 || back.Count(2) != 2 || len(vals) != 2 || masks[0] != 0b111 {
		t.Fatalf("restored %v %v", vals, masks)
	}
}
