package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"example.com/tradeapp/proctime"
	"github.com/laminar-sql/laminar/runtime/laminar"
)

// TestProcessingTimeByHand drives processing time with an injected clock:
// rows go to the 10 s window of the clock when pushed, and a window closes
// when ProcessingTime finds the clock past its end — deterministically,
// without waiting for the wall clock.
func TestProcessingTimeByHand(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC).UnixMicro())
	p, err := proctime.Open(context.Background(), proctime.Options{Clock: func() time.Time { return time.UnixMicro(now.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var got []proctime.PerUserRow
	p.PerUser.OnRow(func(r proctime.PerUserRow, op laminar.Op) { got = append(got, r) })
	for _, u := range []int64{1, 2, 1} {
		if err := p.Clicks.Push(proctime.ClicksRow{UserId: u}); err != nil {
			t.Fatal(err)
		}
	}
	now.Add(6_000_000) // 00:00:09: the window [00:00:00, 00:00:10) is open
	if err := p.ProcessingTime(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("a window closed before the clock passed its end: %+v", got)
	}
	if err := p.Clicks.Push(proctime.ClicksRow{UserId: 2}); err != nil {
		t.Fatal(err)
	}
	now.Add(1_000_000) // 00:00:10: its end
	if err := p.ProcessingTime(); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	counts := map[int64]int64{}
	for _, r := range got {
		if r.WindowStart != start || r.WindowEnd != start+10_000_000 {
			t.Errorf("row %+v: not the window [00:00:00, 00:00:10)", r)
		}
		counts[r.UserId] = r.Clicks
	}
	if len(got) != 2 || counts[1] != 2 || counts[2] != 2 {
		t.Fatalf("rows %+v: want user 1 and user 2 with 2 clicks each", got)
	}
	// a row now belongs to the next window, emitted when its input ends
	now.Add(500_000)
	if err := p.Clicks.Push(proctime.ClicksRow{UserId: 3}); err != nil {
		t.Fatal(err)
	}
	if err := p.Clicks.End(); err != nil {
		t.Fatal(err)
	}
	if last := got[len(got)-1]; len(got) != 3 || last.UserId != 3 || last.WindowStart != start+10_000_000 {
		t.Fatalf("rows %+v: want user 3's click in [00:00:10, 00:00:20) at the end of input", got)
	}
}
