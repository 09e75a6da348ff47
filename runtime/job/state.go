package job

// StateUnit is one piece of a pipeline's state that checkpoints save and
// restore on its own: a source's watermark, or a stateful operator's keyed
// state. Checkpoints key state by ID, so an edit of the pipeline keeps the
// state of every unit whose ID did not change.
type StateUnit struct {
	// ID is stable across runs and edits while the unit's meaning and layout
	// stay the same: "source:<name>:<hash>" or "op:<hash>". A changed query or
	// state layout gives a new ID, so old state is never loaded wrongly.
	ID string
	// Name is for messages: "source trades", "view vwap".
	Name string
}

// Stateful is implemented by generated pipelines. The runtime calls it only
// between batches, from the goroutine that runs the pipeline, so a snapshot
// is a consistent cut together with the source offsets of the same moment.
type Stateful interface {
	// StateUnits lists the units, in a fixed order.
	StateUnits() []StateUnit
	// SaveState appends the encoded state of unit i to buf.
	SaveState(i int, buf []byte) []byte
	// LoadState replaces the state of unit i with the decoded data. A unit
	// not loaded starts empty.
	LoadState(i int, data []byte) error
}

// ExternalState is implemented by pipelines that keep keyed state in a store
// of their own rather than in memory (laminarc build --state-backend
// badger). The store commits incrementally: only what changed since the
// last checkpoint is written.
type ExternalState interface {
	// OpenState opens the store in dir and rolls it back to the state of
	// checkpoint epoch (0: empty), discarding writes no checkpoint covers.
	OpenState(dir string, epoch uint64) error
	// CommitState makes the state as of now durable as epoch; the runtime
	// calls it before it writes the checkpoint of that epoch.
	CommitState(epoch uint64) error
	// CloseState closes the store.
	CloseState() error
}
