// Package connector reads raw records from where a job's input lives (files,
// stdin) and writes encoded rows to where its output goes (files, stdout, a
// discarding sink). It knows nothing of SQL types: decoding is generated code.
package connector

// LineBatch is a batch of raw records (lines without their newline) of one
// source. The byte slices point into the source's buffer and are valid only
// until the source's next call to Next. A typed source (one whose records are
// Go structs, such as the Nexmark generator) fills Typed instead of Lines.
type LineBatch struct {
	Lines   [][]byte
	Offsets []int64 // byte offset in the input of each line's first byte
	LineNos []int64 // 1-based line number of each line; 0 for records of a partitioned input
	// Partitions, for a partitioned input (Kafka), is the partition of each
	// record, whose Offsets are then offsets in that partition; nil otherwise.
	Partitions []int32
	// AllPartitions, for a partitioned input, lists every partition the
	// source reads, and IdlePartitions those without a record for longer
	// than its idle timeout: the pipeline keeps a watermark per partition and
	// combines those of the partitions not idle (window.PartitionWatermarks).
	AllPartitions, IdlePartitions []int32
	// record metadata for metadata columns (metadata.go)
	recordMeta
	// Weights, for an updating source (a CDC stream, a changelog format),
	// is the weight of each line: +1 an insertion, -1 a retraction; nil (or
	// empty) means every line is an insertion.
	Weights []int8
	// Typed holds a typed source's records: a pointer to a slice of its
	// element type, owned by this batch (a source reuses it from one Next to
	// the next). Generated code asserts its type once per batch. TypedLen is
	// the number of records in it.
	Typed    any
	TypedLen int
	// Kept is, of a Nexmark source's batch, the number of its table's
	// events in Typed (alone on its generator a source is handed every
	// event): the source counts them as it generates them, while they are
	// in the cache, rather than the job reading the batch once more.
	Kept int
	// SkippedRecords counts records the source went past without handing
	// them out, since no view could use them (Parquet row groups skipped by
	// their statistics): the job counts them as rows in.
	SkippedRecords int64
	// Text, when set, is the stretch of input that holds all of Lines, in
	// order, with only the line ends between them (a reader's batch): one
	// slice to check for properties of all lines at once.
	Text []byte
	// Oversized are the records of this stretch of input longer than the
	// source's limit: not in Lines, skipped by the source, for the job to
	// report (dead-letter output) rather than stop on.
	Oversized []Oversized
	// Rejected are the records of this stretch of input that are not what
	// their format says (a change event without an op): not in Lines, for
	// the job to report to the dead-letter output.
	Rejected []Rejected
	// InvalidText is set by a generated JSON decoder that checks the text
	// policy as it decodes (job.SourceSpec.DecoderChecksText): the records
	// of the batch with invalid UTF-8 or an escaped lone surrogate, which
	// the job then counts without a pass of its own over them.
	InvalidText int64
	// Decoded belongs to the job's generated decoder, which keeps the typed
	// rows of Lines here when it decodes off the pipeline's goroutine; it is
	// reused from batch to batch and Reset leaves it alone.
	Decoded any
}

// Oversized is a record longer than a source's line limit.
type Oversized struct {
	Line   int64  // 1-based line number
	Offset int64  // byte offset of its first byte
	Length int64  // its bytes before "\n"
	Prefix []byte // its first OversizedPrefix bytes (a copy)
}

// OversizedPrefix is how much of an over-long record is kept for the
// dead-letter output.
const OversizedPrefix = 1024

// Reset empties the batch, keeping its capacity.
func (b *LineBatch) Reset() {
	b.Lines = b.Lines[:0]
	b.Offsets = b.Offsets[:0]
	b.LineNos = b.LineNos[:0]
	b.Partitions = b.Partitions[:0]
	b.AllPartitions = b.AllPartitions[:0]
	b.IdlePartitions = b.IdlePartitions[:0]
	b.Keys, b.Timestamps, b.Headers = b.Keys[:0], b.Timestamps[:0], b.Headers[:0]
	b.Weights = b.Weights[:0]
	b.TypedLen = 0
	b.Kept = 0
	b.SkippedRecords = 0
	b.Oversized = b.Oversized[:0]
	b.Rejected = b.Rejected[:0]
	b.Text = nil
	b.InvalidText = 0
}

// Len is the number of records in the batch.
func (b *LineBatch) Len() int { return len(b.Lines) + b.TypedLen }

// RowWeight is the weight of decoded row ri, whose line in the batch is
// lines[ri]: +1 unless the batch carries Weights. b may be nil (rows pushed
// by an embedding program), and so may lines then.
func (b *LineBatch) RowWeight(lines []int32, ri int) int64 {
	if b == nil || len(b.Weights) == 0 {
		return 1
	}
	return int64(b.Weights[lines[ri]])
}

// LineWeight is the weight of line i of the batch: +1 unless the batch
// carries Weights (a worker's Route folding a changelog's rows, which knows
// their lines, not a decoded row's index).
func (b *LineBatch) LineWeight(i int) int64 {
	if len(b.Weights) == 0 {
		return 1
	}
	return int64(b.Weights[i])
}

// RowPartition is the partition of decoded row ri (see RowWeight): 0 for an
// input without partitions.
func (b *LineBatch) RowPartition(lines []int32, ri int) int32 {
	if b == nil || len(b.Partitions) == 0 {
		return 0
	}
	return b.Partitions[lines[ri]]
}
