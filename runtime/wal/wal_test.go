package wal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/fsys"
)

// payloadFor returns a distinct, recognisable payload of varying length.
func payloadFor(i int) []byte {
	return []byte(fmt.Sprintf("record-%03d-%s", i, bytes.Repeat([]byte{'x'}, i%17)))
}

func mustOpen(t *testing.T, dir string, opts Options) (*WAL, Recovery) {
	t.Helper()
	w, rec, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return w, rec
}

// writeLog appends n records, alternating Append and small batches, closes the
// log and returns the position after each record.
func writeLog(t *testing.T, dir string, opts Options, n int) []Position {
	t.Helper()
	w, _ := mustOpen(t, dir, opts)
	var ends []Position
	for i := 0; i < n; {
		if i%3 == 0 || i+2 > n {
			pos, err := w.Append(payloadFor(i))
			if err != nil {
				t.Fatal(err)
			}
			ends = append(ends, pos)
			i++
			continue
		}
		// A batch of two: only the end of the second is returned; the end of
		// the first is the start of the second.
		last, err := w.AppendBatch([][]byte{payloadFor(i), payloadFor(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		first := last
		first.Offset -= int64(RecordHeaderSize + len(payloadFor(i+1)))
		if first.Offset <= HeaderSize { // the batch rolled between the two
			first = Position{} // not known here; filled in from a reader below
		}
		ends = append(ends, first, last)
		i += 2
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Fill in positions the arithmetic above could not know.
	w, _ = mustOpen(t, dir, opts)
	defer w.Close()
	got := readAll(t, w, Position{})
	for i := range ends {
		if ends[i] == (Position{}) {
			ends[i] = got[i].end
		}
	}
	return ends
}

type readRecord struct {
	payload string
	end     Position
}

func readAll(t *testing.T, w *WAL, from Position) []readRecord {
	t.Helper()
	r, err := w.NewReader(from)
	if err != nil {
		t.Fatalf("NewReader(%v): %v", from, err)
	}
	defer r.Close()
	var out []readRecord
	for {
		p, end, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, readRecord{string(p), end})
	}
}

func checkRecords(t *testing.T, got []readRecord, from int, ends []Position) {
	t.Helper()
	if len(got) != len(ends)-from {
		t.Fatalf("read %d records, want %d", len(got), len(ends)-from)
	}
	for i, r := range got {
		if want := string(payloadFor(from + i)); r.payload != want {
			t.Fatalf("record %d = %q, want %q", from+i, r.payload, want)
		}
		if r.end != ends[from+i] {
			t.Fatalf("record %d ends at %v, want %v", from+i, r.end, ends[from+i])
		}
	}
}

func TestWriteReopenRead(t *testing.T) {
	dir := t.TempDir()
	const n = 100
	ends := writeLog(t, dir, Options{}, n)
	for i := 1; i < n; i++ {
		if !ends[i-1].Less(ends[i]) {
			t.Fatalf("positions not increasing: %v then %v", ends[i-1], ends[i])
		}
	}
	w, rec := mustOpen(t, dir, Options{})
	defer w.Close()
	if rec.Records != n || rec.Torn || rec.Segments != 1 || rec.End != ends[n-1] {
		t.Fatalf("recovery %+v", rec)
	}
	checkRecords(t, readAll(t, w, Position{}), 0, ends)
}

func TestEmptyAndInvalidAppends(t *testing.T) {
	w, _ := mustOpen(t, t.TempDir(), Options{})
	defer w.Close()
	if _, err := w.Append(nil); err == nil {
		t.Fatal("empty record accepted")
	}
	if _, err := w.AppendBatch([][]byte{[]byte("a"), {}}); err == nil {
		t.Fatal("batch with an empty record accepted")
	}
	// Refused payloads do not break the WAL, and nothing of the batch was written.
	if pos, err := w.Append([]byte("a")); err != nil || pos != (Position{1, HeaderSize + RecordHeaderSize + 1}) {
		t.Fatalf("Append after refused payloads = %v, %v", pos, err)
	}
}

// segmentBytes returns the content of the only segment of a fresh log with
// n records and the end positions of the records.
func segmentBytes(t *testing.T, n int) ([]byte, []Position) {
	t.Helper()
	dir := t.TempDir()
	ends := writeLog(t, dir, Options{}, n)
	data, err := os.ReadFile(filepath.Join(dir, segmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	return data, ends
}

// openBytes opens a log in dir (emptied first) whose only segment holds data.
func openBytes(t *testing.T, dir string, data []byte) (*WAL, Recovery, error) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, segmentName(1)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return Open(dir, Options{Sync: SyncNone})
}

func TestTruncateAtEveryOffset(t *testing.T) {
	data, ends := segmentBytes(t, 5)
	dir := t.TempDir()
	for cut := 0; cut <= len(data); cut++ {
		w, rec, err := openBytes(t, dir, data[:cut])
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		// Records wholly before the cut survive.
		survivors := 0
		for survivors < len(ends) && ends[survivors].Offset <= int64(cut) {
			survivors++
		}
		want := Recovery{Segments: 1, Records: int64(survivors), End: Position{1, HeaderSize}}
		switch {
		case cut < HeaderSize:
			want.Torn, want.TornAt, want.DroppedBytes = true, Position{1, 0}, int64(cut)
			if cut > 0 {
				want.DroppedRecords = 1
			}
		case survivors > 0:
			want.End = ends[survivors-1]
		}
		if cut >= HeaderSize && int64(cut) != want.End.Offset {
			want.Torn, want.TornAt, want.DroppedBytes, want.DroppedRecords = true, want.End, int64(cut)-want.End.Offset, 1
		}
		if rec != want {
			t.Fatalf("cut at %d: recovery\n %+v, want\n %+v", cut, rec, want)
		}
		got := readAll(t, w, Position{})
		checkRecords(t, got, 0, ends[:survivors])
		// The log is usable again: the next record follows the survivors.
		pos, err := w.Append([]byte("after"))
		if err != nil || pos != (Position{1, want.End.Offset + RecordHeaderSize + 5}) {
			t.Fatalf("cut at %d: Append = %v, %v", cut, pos, err)
		}
		w.Close()
	}
}

func TestZeroFilledTail(t *testing.T) {
	data, ends := segmentBytes(t, 3)
	dir := t.TempDir()
	for _, zeros := range []int{1, 7, 8, 9, 100, 4096} {
		padded := append(bytes.Clone(data), make([]byte, zeros)...)
		w, rec, err := openBytes(t, dir, padded)
		if err != nil {
			t.Fatalf("%d zeros: %v", zeros, err)
		}
		want := Recovery{Segments: 1, Records: 3, End: ends[2], Torn: true, TornAt: ends[2], DroppedBytes: int64(zeros)}
		if rec != want {
			t.Fatalf("%d zeros: recovery %+v, want %+v", zeros, rec, want)
		}
		w.Close()
	}
}

func TestBitFlips(t *testing.T) {
	data, ends := segmentBytes(t, 5)
	lastStart := ends[3].Offset
	tests := []struct {
		name       string
		from, to   int64 // byte range whose bits are flipped one at a time
		corruptAt  int64 // -1: expect a torn tail instead
		tornAt     Position
		survivors  int64
		dropped    int64
		wantReason string
	}{
		{name: "header", from: 0, to: HeaderSize, corruptAt: 0},
		{name: "middle record", from: ends[1].Offset, to: ends[2].Offset, corruptAt: ends[1].Offset},
		{name: "first record", from: HeaderSize, to: ends[0].Offset, corruptAt: HeaderSize},
		{name: "last record", from: lastStart, to: ends[4].Offset, corruptAt: -1, tornAt: ends[3], survivors: 4, dropped: ends[4].Offset - lastStart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for off := tt.from; off < tt.to; off++ {
				for bit := range 8 {
					flipped := bytes.Clone(data)
					flipped[off] ^= 1 << bit
					w, rec, err := openBytes(t, dir, flipped)
					if tt.corruptAt >= 0 {
						var ce *CorruptionError
						if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
							t.Fatalf("flip byte %d bit %d: err = %v, want corruption", off, bit, err)
						}
						if ce.File != filepath.Join(dir, segmentName(1)) || ce.Offset != tt.corruptAt {
							t.Fatalf("flip byte %d bit %d: %v, want offset %d", off, bit, ce, tt.corruptAt)
						}
						continue
					}
					if err != nil {
						t.Fatalf("flip byte %d bit %d: %v", off, bit, err)
					}
					if !rec.Torn || rec.TornAt != tt.tornAt || rec.Records != tt.survivors || rec.DroppedBytes != tt.dropped {
						t.Fatalf("flip byte %d bit %d: recovery %+v", off, bit, rec)
					}
					w.Close()
				}
			}
		})
	}
}

func TestCorruptionInNonLastSegment(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 100, Sync: SyncNone}
	writeLog(t, dir, opts, 10)
	name := filepath.Join(dir, segmentName(1))
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	// A flipped bit in the last record of a sealed segment is corruption, not a
	// torn tail, and so is a cut-off tail.
	data[len(data)-1] ^= 1
	os.WriteFile(name, data, 0o644)
	var ce *CorruptionError
	if _, _, err := Open(dir, opts); !errors.As(err, &ce) || ce.File != name {
		t.Fatalf("Open = %v, want corruption in %s", err, name)
	}
	os.WriteFile(name, data[:len(data)-1], 0o644)
	if _, _, err := Open(dir, opts); !errors.As(err, &ce) || ce.File != name {
		t.Fatalf("Open = %v, want corruption in %s", err, name)
	}
	// A missing segment in the middle is an error too.
	os.Remove(name)
	os.Remove(filepath.Join(dir, segmentName(3)))
	if _, _, err := Open(dir, opts); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a gap = %v", err)
	}
}

func TestSegmentRollAndRemoveBefore(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 120}
	const n = 40
	ends := writeLog(t, dir, opts, n)
	w, rec := mustOpen(t, dir, opts)
	defer w.Close()
	if rec.Records != n || rec.Torn || rec.Segments < 10 {
		t.Fatalf("recovery %+v", rec)
	}
	seqs, _ := listSegments(fsys.OS{}, dir)
	for _, seq := range seqs {
		info, _ := os.Stat(filepath.Join(dir, segmentName(seq)))
		if info.Size() > opts.SegmentSize {
			t.Fatalf("segment %d has %d bytes, limit %d", seq, info.Size(), opts.SegmentSize)
		}
	}
	checkRecords(t, readAll(t, w, Position{}), 0, ends)

	// A record larger than the segment size gets a segment of its own.
	big := bytes.Repeat([]byte{'b'}, 500)
	pos, err := w.Append(big)
	if err != nil || pos != (Position{rec.End.Segment + 1, HeaderSize + RecordHeaderSize + 500}) {
		t.Fatalf("Append(big) = %v, %v", pos, err)
	}
	ends = append(ends, pos)

	cut := ends[20]
	if err := w.RemoveBefore(cut); err != nil {
		t.Fatal(err)
	}
	if w.FirstSegment() != cut.Segment {
		t.Fatalf("first segment %d, want %d", w.FirstSegment(), cut.Segment)
	}
	if _, err := os.Stat(filepath.Join(dir, segmentName(cut.Segment-1))); !os.IsNotExist(err) {
		t.Fatalf("segment before the cut still there: %v", err)
	}
	if _, err := w.NewReader(ends[0]); !errors.Is(err, ErrCompacted) {
		t.Fatalf("reader from a removed segment: %v", err)
	}
	// Replaying from the checkpoint position still yields everything after it.
	got := readAll(t, w, cut)
	if len(got) != len(ends)-21 || got[len(got)-1].payload != string(big) {
		t.Fatalf("after RemoveBefore read %d records", len(got))
	}
	// The active segment is never removed.
	if err := w.RemoveBefore(Position{Segment: 1 << 60}); err != nil {
		t.Fatal(err)
	}
	if w.FirstSegment() != pos.Segment {
		t.Fatalf("first segment %d, want the active %d", w.FirstSegment(), pos.Segment)
	}
	if got := readAll(t, w, Position{}); len(got) != 1 || got[0].payload != string(big) {
		t.Fatalf("active segment holds %d records", len(got))
	}
	w.Close()
	w2, rec2 := mustOpen(t, dir, opts)
	defer w2.Close()
	if rec2.Segments != 1 || rec2.Records != 1 {
		t.Fatalf("recovery after RemoveBefore %+v", rec2)
	}
}

func TestReaderFromEveryPosition(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 150}
	ends := writeLog(t, dir, opts, 30)
	w, _ := mustOpen(t, dir, opts)
	defer w.Close()
	for i, from := range ends {
		checkRecords(t, readAll(t, w, from), i+1, ends)
	}
	// The start of the next segment is the same place as the end of the last.
	for i, e := range ends[:len(ends)-1] {
		if ends[i+1].Segment == e.Segment+1 {
			checkRecords(t, readAll(t, w, Position{e.Segment + 1, 0}), i+1, ends)
		}
	}
	if _, err := w.NewReader(Position{ends[len(ends)-1].Segment, 1 << 40}); err == nil {
		t.Fatal("reader past the end accepted")
	}
	// A reader stops at the end the log had when it was made.
	r, err := w.NewReader(ends[len(ends)-2])
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := w.Append([]byte("later")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next past the snapshot = %v, want io.EOF", err)
	}
}

func TestSyncPolicies(t *testing.T) {
	batch := make([][]byte, 256)
	for i := range batch {
		batch[i] = payloadFor(i)
	}
	tests := []struct {
		policy              SyncPolicy
		syncsPerAppend      int // on the segment, for one Append and for one AppendBatch
		syncsAtClose        int
		backgroundSyncsSeen bool
	}{
		{SyncBatch, 1, 0, false},
		{SyncNone, 0, 1, false},
		{SyncInterval, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			f := fsys.NewFaulty(fsys.OS{})
			w, _ := mustOpen(t, t.TempDir(), Options{Sync: tt.policy, SyncInterval: 20 * time.Millisecond, FS: f})
			syncs := func() int { return f.Count(fsys.OpSync, "*.wal") }
			writes := func() int { return f.Count(fsys.OpWrite, "*.wal") }
			before, beforeWrites := syncs(), writes()
			if _, err := w.Append([]byte("one")); err != nil {
				t.Fatal(err)
			}
			if _, err := w.AppendBatch(batch); err != nil {
				t.Fatal(err)
			}
			if got := writes() - beforeWrites; got != 2 {
				t.Fatalf("%d writes for an Append and a batch, want 2", got)
			}
			if tt.backgroundSyncsSeen {
				deadline := time.Now().Add(5 * time.Second)
				for syncs() == before && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				if syncs() == before {
					t.Fatal("no background sync")
				}
			} else if got := syncs() - before; got != 2*tt.syncsPerAppend {
				t.Fatalf("%d syncs, want %d", got, 2*tt.syncsPerAppend)
			}
			before = syncs()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := syncs() - before; !tt.backgroundSyncsSeen && got != tt.syncsAtClose {
				t.Fatalf("%d syncs at Close, want %d", got, tt.syncsAtClose)
			}
		})
	}
}

func TestFailuresBreakTheWAL(t *testing.T) {
	tests := []struct {
		name    string
		policy  SyncPolicy
		rule    fsys.Rule
		wantErr error
		// dropped is what reopening cuts off: the short write's bytes.
		dropped int64
	}{
		{"fsync fails under SyncBatch", SyncBatch, fsys.Rule{Op: fsys.OpSync, Path: "*.wal", Nth: 1}, syscall.EIO, 0},
		{"ENOSPC short write", SyncBatch, fsys.Rule{Op: fsys.OpWrite, Path: "*.wal", Nth: 1, ShortWrite: 5, Err: syscall.ENOSPC}, syscall.ENOSPC, 5},
		{"ENOSPC under SyncNone", SyncNone, fsys.Rule{Op: fsys.OpWrite, Nth: 1, Err: syscall.ENOSPC}, syscall.ENOSPC, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			f := fsys.NewFaulty(fsys.OS{})
			w, _ := mustOpen(t, dir, Options{Sync: tt.policy, FS: f})
			good, err := w.Append([]byte("kept"))
			if err != nil {
				t.Fatal(err)
			}
			f.AddRule(tt.rule)
			if _, err := w.Append([]byte("failing")); !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrBroken) {
				t.Fatalf("Append = %v, want %v", err, tt.wantErr)
			}
			f.ClearRules()
			if _, err := w.Append([]byte("refused")); !errors.Is(err, ErrBroken) {
				t.Fatalf("Append after failure = %v, want ErrBroken", err)
			}
			if _, err := w.AppendBatch([][]byte{[]byte("refused")}); !errors.Is(err, ErrBroken) {
				t.Fatalf("AppendBatch after failure = %v, want ErrBroken", err)
			}
			if err := w.Sync(); !errors.Is(err, ErrBroken) {
				t.Fatalf("Sync after failure = %v, want ErrBroken", err)
			}
			if err := w.Close(); !errors.Is(err, ErrBroken) {
				t.Fatalf("Close after failure = %v, want ErrBroken", err)
			}
			w, rec := mustOpen(t, dir, Options{})
			defer w.Close()
			got := readAll(t, w, Position{})
			if len(got) == 0 || got[0].payload != "kept" || got[0].end != good {
				t.Fatalf("after reopen read %+v", got)
			}
			if rec.DroppedBytes != tt.dropped {
				t.Fatalf("recovery %+v, want %d bytes dropped", rec, tt.dropped)
			}
		})
	}
}

func TestIntervalSyncFailureIsReported(t *testing.T) {
	f := fsys.NewFaulty(fsys.OS{})
	w, _ := mustOpen(t, t.TempDir(), Options{Sync: SyncInterval, SyncInterval: 5 * time.Millisecond, FS: f})
	f.AddRule(fsys.Rule{Op: fsys.OpSync, Path: "*.wal"})
	if _, err := w.Append([]byte("x")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := w.Append([]byte("y"))
		if errors.Is(err, syscall.EIO) && errors.Is(err, ErrBroken) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("Append = %v, want the background sync failure", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	w.Close()
}

// TestFailAtEveryStep runs a workload that opens a log, appends across
// segment rolls and removes old segments, failing its Nth filesystem
// operation for every N. Whatever fails, reopening must succeed and return
// every acknowledged record, in order, with nothing that was not appended.
func TestFailAtEveryStep(t *testing.T) {
	workload := func(dir string, fs fsys.FS) (acked int) {
		w, _, err := Open(dir, Options{SegmentSize: 100, FS: fs})
		if err != nil {
			return 0
		}
		defer w.Close()
		for i := 0; i < 12; i += 2 {
			if _, err := w.AppendBatch([][]byte{payloadFor(i), payloadFor(i + 1)}); err != nil {
				return acked
			}
			acked = i + 2
			if i == 6 {
				w.RemoveBefore(Position{Segment: 2})
			}
		}
		return acked
	}
	// Records in segment 1, which RemoveBefore may delete.
	inFirstSegment := 0
	ref, _ := mustOpen(t, t.TempDir(), Options{SegmentSize: 100})
	for i := 0; i < 12; i += 2 {
		if _, err := ref.AppendBatch([][]byte{payloadFor(i), payloadFor(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range readAll(t, ref, Position{}) {
		if r.end.Segment == 1 {
			inFirstSegment++
		}
	}
	ref.Close()
	if inFirstSegment == 0 || inFirstSegment == 12 {
		t.Fatalf("reference log has %d of 12 records in segment 1", inFirstSegment)
	}

	counter := fsys.NewFaulty(fsys.OS{})
	workload(t.TempDir(), counter)
	steps := len(counter.Events())
	if steps < 20 {
		t.Fatalf("workload used only %d operations", steps)
	}
	for n := 1; n <= steps; n++ {
		dir := t.TempDir()
		acked := workload(dir, fsys.NewFaulty(fsys.OS{}, fsys.Rule{Nth: n}))
		w, _, err := Open(dir, Options{SegmentSize: 100})
		if err != nil {
			t.Fatalf("fail at step %d: reopen: %v", n, err)
		}
		got := readAll(t, w, Position{})
		w.Close()
		// Segment 1 may have been removed (records 0..1 or more); what is
		// left must be a run of consecutive records ending at or after the
		// last acknowledged one.
		first := 0
		if len(got) > 0 {
			fmt.Sscanf(got[0].payload, "record-%03d", &first)
		}
		for i, r := range got {
			if want := string(payloadFor(first + i)); r.payload != want {
				t.Fatalf("fail at step %d: record %d = %q, want %q", n, i, r.payload, want)
			}
		}
		if first+len(got) < acked || (first != 0 && first != inFirstSegment) {
			t.Fatalf("fail at step %d: read records %d..%d, acknowledged %d", n, first, first+len(got), acked)
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	w, _ := mustOpen(t, t.TempDir(), Options{Sync: SyncNone, SegmentSize: 1 << 30})
	defer w.Close()
	payload := bytes.Repeat([]byte{'p'}, 100)
	batch := [][]byte{payload, payload, payload}
	w.Append(payload) // grow the buffer once
	if n := testing.AllocsPerRun(200, func() {
		if _, err := w.Append(payload); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Append allocates %.1f times per call", n)
	}
	if n := testing.AllocsPerRun(200, func() {
		if _, err := w.AppendBatch(batch); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("AppendBatch allocates %.1f times per call", n)
	}
}

func TestSegmentNames(t *testing.T) {
	tests := []struct {
		name string
		seq  uint64
		ok   bool
	}{
		{"0000000000000001.wal", 1, true},
		{"00000000000000ff.wal", 255, true},
		{"00000000000000FF.wal", 0, false},
		{"000000000000001.wal", 0, false},
		{"0000000000000001.wal.tmp", 0, false},
		{"zzzzzzzzzzzzzzzz.wal", 0, false},
	}
	for _, tt := range tests {
		seq, ok := parseSegmentName(tt.name)
		if seq != tt.seq || ok != tt.ok {
			t.Errorf("parseSegmentName(%q) = %d, %v", tt.name, seq, ok)
		}
	}
	if segmentName(255) != "00000000000000ff.wal" {
		t.Errorf("segmentName(255) = %q", segmentName(255))
	}
}
