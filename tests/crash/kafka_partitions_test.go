package crash

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// skewSQL counts rows per minute of a topic of 3 partitions with a watermark
// delay of 5 s: far less than the skew between its partitions.
func skewSQL(brokers, extra string) string {
	return `CREATE SOURCE ev (k VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH (connector = 'kafka', topic = 'skew', brokers = '` + brokers + `'` + extra + `);
CREATE MATERIALIZED VIEW v AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(ev, ts, INTERVAL '1' MINUTE) GROUP BY window_start;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`
}

// produceSkewed writes 300 rows a second apart to partition 0, then the
// same times to partition 1; partition 2 stays empty.
func produceSkewed(t *testing.T, brokers string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for part := int32(0); part < 2; part++ {
		var rs []*kgo.Record
		for i := range 300 {
			v := fmt.Sprintf(`{"k":"p%d","ts":"%s"}`, part, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339))
			rs = append(rs, &kgo.Record{Topic: "skew", Partition: part, Value: []byte(v)})
		}
		if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKafkaPartitionWatermarks: the watermark is kept per partition and
// combined by minimum, so partition 1, read minutes behind partition 0, has
// no late rows (one watermark for the source would have made most of them
// late); an empty partition holds the watermark back until it is idle
// (idle_timeout), and a bounded read's empty partition is idle at once.
func TestKafkaPartitionWatermarks(t *testing.T) {
	skipShortSerial(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "skew"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	produceSkewed(t, brokers)
	want := "{\"window_start\":\"2024-01-01T00:00:00Z\",\"n\":120}\n{\"window_start\":\"2024-01-01T00:01:00Z\",\"n\":120}\n" +
		"{\"window_start\":\"2024-01-01T00:02:00Z\",\"n\":120}\n{\"window_start\":\"2024-01-01T00:03:00Z\",\"n\":120}\n" +
		"{\"window_start\":\"2024-01-01T00:04:00Z\",\"n\":120}\n"

	// bounded, in batches small enough that partition 0 is read well ahead
	j := buildJob(t, skewSQL(brokers, ", bounded = 'true'"), false, nil)
	dir := t.TempDir()
	if out, err := j.command(dir, true, 50, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := readOutputs(t, dir)
	if got["output.jsonl"] != want || got["p.late.jsonl"] != "" {
		t.Fatalf("output:\n%s\nlate:\n%.500s", got["output.jsonl"], got["p.late.jsonl"])
	}

	// unbounded: the empty partition 2 holds every window open, until
	// idle_timeout lets the watermark go on without it
	for _, idle := range []string{"", ", idle_timeout = '300ms'"} {
		j := buildJob(t, skewSQL(brokers, idle), false, nil)
		dir := t.TempDir()
		cmd := j.command(dir, false, 50, 1)
		var stderr lockedBuffer
		cmd.Stderr = &stderr
		cmd.Args = slices.DeleteFunc(cmd.Args, func(a string) bool { return a == "--quiet" })
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * time.Second)
		var out []byte
		for time.Now().Before(deadline) {
			out, _ = os.ReadFile(filepath.Join(dir, "output.jsonl"))
			if strings.Count(string(out), "\n") >= 4 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		out, _ = os.ReadFile(filepath.Join(dir, "output.jsonl"))
		late, _ := os.ReadFile(filepath.Join(dir, "p.late.jsonl"))
		switch {
		case len(late) > 0:
			t.Fatalf("idle %q: late rows:\n%.300s", idle, late)
		case idle == "" && len(out) > 0:
			t.Fatalf("without idle_timeout the empty partition holds the watermark, yet windows closed:\n%s", out)
		case idle != "" && !strings.HasPrefix(want, string(out)) || idle != "" && strings.Count(string(out), "\n") != 4:
			// the last window stays open: its end is past the watermark
			t.Fatalf("with idle_timeout: windows closed:\n%s\nwant the first 4 of\n%s\n%s", out, want, stderr.String())
		}
	}
}

// TestKafkaMetadataColumns: a record's key, headers, timestamp, partition
// and offset as columns (METADATA FROM), in the rows and in the dead
// letters' partition and offset; a NOT NULL metadata column the record
// lacks sends it to the dead letters.
func TestKafkaMetadataColumns(t *testing.T) {
	skipShortSerial(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "meta"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)
	rs := []*kgo.Record{
		{Topic: "meta", Partition: 1, Key: []byte("k1"), Value: []byte(`{"v":1}`), Timestamp: at,
			Headers: []kgo.RecordHeader{{Key: "trace", Value: []byte("t-1")}}},
		{Topic: "meta", Partition: 1, Value: []byte(`{"v":2}`), Timestamp: at.Add(time.Second)}, // no key: dead letter
		{Topic: "meta", Partition: 0, Key: []byte("k3"), Value: []byte(`{"v":3}`), Timestamp: at.Add(2 * time.Second)},
	}
	if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	j := buildJob(t, `CREATE SOURCE ev (v BIGINT, k VARCHAR NOT NULL METADATA FROM 'key', "partition" BIGINT METADATA,
  off BIGINT METADATA FROM 'offset', ts TIMESTAMP METADATA FROM 'timestamp', trace VARCHAR METADATA FROM 'header.trace')
WITH (connector = 'kafka', topic = 'meta', brokers = '`+brokers+`', bounded = 'true');
CREATE MATERIALIZED VIEW v AS SELECT v, k, "partition", off, ts, trace FROM ev;
CREATE SINK out FROM v WITH (connector = 'file', path = 'output.jsonl', format = 'json');
`, false, nil)
	dir := t.TempDir()
	if out, err := j.command(dir, true, 10, 1).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := readOutputs(t, dir)
	want := []string{
		`{"v":1,"k":"k1","partition":1,"off":0,"ts":"2024-05-06T07:08:09.123Z","trace":"t-1"}`,
		`{"v":3,"k":"k3","partition":0,"off":0,"ts":"2024-05-06T07:08:11.123Z","trace":null}`,
	}
	if rows := sortedLines(got["output.jsonl"]); !slices.Equal(rows, want) {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	dead := got["p.dead.jsonl"]
	if strings.Count(dead, "\n") != 1 || !strings.Contains(dead, `"partition":1,"offset":1`) || !strings.Contains(dead, `has no key`) {
		t.Fatalf("dead letters:\n%s", dead)
	}
}
