package connector

// Position is where a source resumes after a restart: what a checkpoint
// records for it.
type Position struct {
	Offset int64 // byte offset in the input; events generated for Nexmark
	Line   int64 // lines consumed before Offset, blank ones included
	// WAL is the write-ahead log position ("segment:offset") after the last
	// batch, for input replayed from the log; "" otherwise.
	WAL string
	// Check identifies the input up to Offset, for a resume to verify it
	// reopens the same input (file sources: identity.go); zero if none.
	Check InputCheck
	// Offsets are the next offsets of a partitioned input (Kafka: by
	// partition number), where a restart resumes each partition; nil for
	// inputs with one offset.
	Offsets map[string]int64
}

// Committer is a source that wants to know when a checkpoint holding one of
// its positions is durable (to acknowledge input upstream: a replication
// slot's WAL). Committed is called from the job's goroutine, concurrently
// with Next.
type Committer interface {
	Committed(Position)
}

// Positioned is a source that can say where it stands: the position after
// the last batch Next returned, where a restart resumes.
type Positioned interface {
	Position() Position
}

// Position implements Positioned.
func (s *ReaderSource) Position() Position {
	return Position{Offset: s.Offset(), Line: s.LinesRead()}
}
