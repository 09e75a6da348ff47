package kafka

import (
	"context"
	"fmt"
	"testing"

	"github.com/laminar-sql/laminar/runtime/connector"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const benchRecords = 200_000

// benchBroker is a broker whose topic "in" (one partition) holds
// benchRecords trade-like JSON records.
func benchBroker(b *testing.B) string {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	brokers := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.DefaultProduceTopic("in"))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	for i := 0; i < benchRecords; i++ {
		v := fmt.Appendf(nil, `{"symbol":"S%02d","price":%d.25,"volume":%d,"ts":"2024-01-01T00:00:%02dZ"}`, i%40, 100+i%50, i%500, i%60)
		cl.Produce(context.Background(), &kgo.Record{Value: v}, nil)
	}
	if err := cl.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	return brokers
}

// BenchmarkSource reads the topic through the connector (bounded), as a
// job does; BenchmarkBareConsumer is the baseline: a franz-go consumer of
// the same partition on the same broker, counting records.
func BenchmarkSource(b *testing.B) {
	brokers := benchBroker(b)
	b.ResetTimer()
	for range b.N {
		src, err := openSource(connector.Env{}, map[string]string{"topic": "in", "brokers": brokers, "bounded": "true"}, connector.Position{})
		if err != nil {
			b.Fatal(err)
		}
		var batch connector.LineBatch
		n := 0
		for {
			more, err := src.Next(&batch, 1024)
			if err != nil {
				b.Fatal(err)
			}
			n += batch.Len()
			if !more {
				break
			}
		}
		src.Close()
		if n != benchRecords {
			b.Fatalf("read %d records", n)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkBareConsumer(b *testing.B) {
	brokers := benchBroker(b)
	b.ResetTimer()
	for range b.N {
		cl, err := kgo.NewClient(kgo.SeedBrokers(brokers),
			kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"in": {0: kgo.NewOffset().AtStart()}}),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for n < benchRecords {
			fs := cl.PollRecords(context.Background(), 1024)
			n += fs.NumRecords()
		}
		cl.Close()
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}
