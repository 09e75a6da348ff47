package job

import (
	"fmt"
	"io"

	"github.com/laminar-sql/laminar/runtime/connector"
)

// recordPartition is the partition of record i of a partitioned input
// (Kafka), or nil.
func recordPartition(b *connector.LineBatch, i int) *int32 {
	if i >= len(b.Partitions) {
		return nil
	}
	p := b.Partitions[i]
	return &p
}

// recordWhere names record i in log lines: its line and byte offset, or
// its partition and offset.
func recordWhere(b *connector.LineBatch, i int) string {
	if i < len(b.Partitions) {
		return fmt.Sprintf("partition %d offset %d", b.Partitions[i], b.Offsets[i])
	}
	return fmt.Sprintf("line %d (offset %d)", b.LineNos[i], b.Offsets[i])
}

// connectorLog is where connectors report from their own goroutines (a
// broker that went away, a retry): one write per line, so that lines from
// several goroutines do not interleave.
func connectorLog(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) {
		w.Write([]byte(fmt.Sprintf("laminar: "+format+"\n", args...)))
	}
}

// sourceCommitter is a source (by index) that acknowledges its input
// upstream once a checkpoint is durable.
type sourceCommitter struct {
	src int
	connector.Committer
}
