package crash

import (
	"context"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestKafkaGroupOffsets: a job whose Kafka source names a consumer group
// ('properties.group.id', as Flink writes it) commits the offsets of its
// checkpoints to the group: after a bounded run, what lag tools read is
// the end of every partition.
func TestKafkaGroupOffsets(t *testing.T) {
	skipShortSerial(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "ev"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := strings.Join(c.ListenAddrs(), ",")
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	counts := map[int32]int64{0: 5, 1: 0, 2: 12}
	for p, n := range counts {
		for range n {
			if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "ev", Partition: p, Value: []byte(`{"v":1}`)}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	j := buildJob(t, `CREATE SOURCE ev (v BIGINT) WITH (connector = 'kafka', topic = 'ev', brokers = '`+brokers+`', bounded = 'true',
  'properties.group.id' = 'laminar-ev', startup = 'group');
CREATE MATERIALIZED VIEW v AS SELECT v FROM ev;
CREATE SINK o FROM v WITH (connector = 'file', path = 'output.jsonl');
`, false, nil)
	dir := t.TempDir()
	out, err := j.command(dir, true, 7, 1).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := strings.Count(readOutputs(t, dir)["output.jsonl"], "\n"); got != 17 {
		t.Fatalf("%d rows, want 17", got)
	}
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = "laminar-ev"
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, p := range rt.Partitions {
			if rt.Topic == "ev" {
				got[p.Partition] = p.Offset
			}
		}
	}
	for _, g := range resp.Groups {
		for _, rt := range g.Topics {
			for _, p := range rt.Partitions {
				if rt.Topic == "ev" {
					got[p.Partition] = p.Offset
				}
			}
		}
	}
	for p, n := range counts {
		if got[p] != n {
			t.Errorf("partition %d: group offset %d, want %d (all: %v)\n%s", p, got[p], n, got, out)
		}
	}
}
