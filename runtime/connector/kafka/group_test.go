package kafka

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kgo"
)

// logEnv is an Env whose log lines the test can read.
type logEnv struct {
	mu    sync.Mutex
	lines []string
}

func (l *logEnv) env() connector.Env {
	return connector.Env{Logf: func(format string, args ...any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, fmt.Sprintf(format, args...))
	}}
}

func (l *logEnv) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// readN reads until n records came, failing on an error or after 10 s.
func readN(t *testing.T, s connector.Source, n int) []string {
	t.Helper()
	var out []string
	var b connector.LineBatch
	deadline := time.Now().Add(10 * time.Second)
	for len(out) < n {
		if time.Now().After(deadline) {
			t.Fatalf("read %d records in 10 s, want %d: %v", len(out), n, out)
		}
		if _, err := s.Next(&b, 3); err != nil {
			t.Fatal(err)
		}
		for i, l := range b.Lines {
			out = append(out, fmt.Sprintf("%d/%d:%s", b.Partitions[i], b.Offsets[i], l))
		}
	}
	return out
}

func committedOffsets(t *testing.T, brokers, group, topic string) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	offs, err := groupOffsets(context.Background(), cl, group, topic)
	if err != nil {
		t.Fatal(err)
	}
	return offs
}

// TestSourceGroup: with group_id the source is the group's member owning
// every partition; offsets reach the group only when Committed says a
// checkpoint holding them is durable; a source without a checkpoint
// resumes from them with startup = 'group'; a second member is refused
// while the first one runs, which keeps reading.
func TestSourceGroup(t *testing.T) {
	brokers := cluster(t, map[string]int32{"in": 2})
	produce(t, brokers, "in", 0, "a", "b", "c")
	produce(t, brokers, "in", 1, "x", "y")
	var log logEnv
	opts := map[string]string{"topic": "in", "brokers": brokers, "group_id": "g"}
	src, err := openSource(log.env(), opts, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	got := readN(t, src, 5)
	if len(got) != 5 {
		t.Fatalf("read %v", got)
	}
	if offs := committedOffsets(t, brokers, "g", "in"); len(offs) != 0 {
		t.Fatalf("offsets committed before any checkpoint: %v", offs)
	}
	pos := src.(connector.Positioned).Position()
	src.(connector.Committer).Committed(pos)
	want := map[int32]int64{0: 3, 1: 2}
	deadline := time.Now().Add(10 * time.Second)
	for offs := committedOffsets(t, brokers, "g", "in"); !maps.Equal(offs, want); offs = committedOffsets(t, brokers, "g", "in") {
		if time.Now().After(deadline) {
			t.Fatalf("group offsets %v, want %v", offs, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(log.text(), "member of consumer group g (generation 1), owning all 2 partitions") {
		t.Errorf("log: %s", log.text())
	}

	// a second member while the first runs: refused
	var log2 logEnv
	second, err := openSource(log2.env(), map[string]string{"topic": "in", "brokers": brokers, "properties.group.id": "g", "startup": "group"}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	var b connector.LineBatch
	deadline = time.Now().Add(15 * time.Second)
	for {
		_, err := second.Next(&b, 10)
		if b.Len() > 0 {
			t.Fatalf("the second member read %v", b.Lines)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "consumer group g is already used by another member") {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second member was not refused")
		}
		// the first keeps polling meanwhile, so that it rejoins
		if _, err := src.Next(&b, 10); err != nil || b.Len() > 0 {
			t.Fatalf("first member: %v %v", err, b.Lines)
		}
	}
	second.Close()
	// the first member still owns the topic and reads on from its position
	produce(t, brokers, "in", 1, "z")
	if got := readN(t, src, 1); got[0] != "1/2:z" {
		t.Fatalf("after the rebalance: %v", got)
	}
	src.Close()

	// no checkpoint, startup = 'group': from the committed offsets
	third, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "group": "g", "startup": "group"}, connector.Position{})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if got := readN(t, third, 1); got[0] != "1/2:z" {
		t.Fatalf("resumed from the group at %v", got)
	}
	// a checkpoint's position wins over the group's offsets
	fourth, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "group_id": "h", "startup": "group"},
		connector.Position{Offsets: map[string]int64{"0": 2, "1": 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer fourth.Close()
	if got := readN(t, fourth, 1); got[0] != "0/2:c" {
		t.Fatalf("resumed from the checkpoint at %v", got)
	}
}

func TestGroupIDSpellings(t *testing.T) {
	if g, err := groupID(map[string]string{"properties.group.id": "a", "group_id": "a"}); err != nil || g != "a" {
		t.Fatal(g, err)
	}
	if _, err := groupID(map[string]string{"group": "a", "group_id": "b"}); err == nil || !strings.Contains(err.Error(), "different consumer groups") {
		t.Fatal(err)
	}
}
