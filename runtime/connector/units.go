package connector

// UnitSplits is implemented by a source whose input splits in units that
// the workers of a partitioned job read and decode each with a reader of
// its own (Parquet: a file's row groups, file by file). In each round the
// job's merge asks for the next units from the position after the round
// before, one per worker, in input order; worker w reads unit w with its
// reader. A unit's position is where a reader of the whole input would
// stand before its first row, so that a checkpoint at a round boundary is
// the same cut at any number of workers.
type UnitSplits interface {
	// Units returns the start positions of up to n units from at on, in
	// input order, and the position after the last of them; none at the
	// end of the input.
	Units(at Position, n int) (starts []Position, after Position, err error)
	// UnitReader returns a reader of units of its own, for one worker.
	UnitReader() (UnitReader, error)
}

// UnitReader reads the units of a UnitSplits source for one worker.
type UnitReader interface {
	// ReadUnit reads the unit that starts at at, in batches of up to
	// maxRows rows, each filled into b and handed to batch before the next
	// is read (a unit that yields no row, skipped by its statistics, hands
	// one empty batch, with what it skipped).
	ReadUnit(at Position, maxRows int, b *LineBatch, batch func(*LineBatch)) error
	Close() error
}

// UnitRereader is a UnitReader that reads a unit again as ReadUnit read it
// (the same batches, rows and errors) without counting it among the units
// read: a worker reporting a late row whose record is in a column batch
// since reused (job.Context.ChunkRecord) reads the record's unit again.
type UnitRereader interface {
	RereadUnit(at Position, maxRows int, b *LineBatch, batch func(*LineBatch)) error
}
