package topn

import (
	"reflect"
	"unsafe"

	"github.com/laminar-sql/laminar/runtime/internal/prefault"
	"github.com/laminar-sql/laminar/runtime/strarena"
	"github.com/laminar-sql/laminar/runtime/window"
)

// DedupPart is the state of one partition key of a deduplication over an
// append-only input (ROW_NUMBER, N = 1, not a window top-N): the row kept,
// in one allocation without slices or ranks (a State's Partition is larger
// by two slice headers and its counters, and Nexmark q18 keeps hundreds of
// thousands of them). The output row the last flush left is the
// projection of that row, so it is not kept: the Dedup stashes it only
// for the partitions changed since (their row is no longer the one it
// came from).
type DedupPart[R comparable, O comparable] struct {
	row     [1]R
	emitted bool   // the last flush left an output row of the partition's
	has     bool   // row is set (a partition Link made has none until its first row)
	retire  bool   // Unlink found it changed since the last flush: it goes once flushed
	at      uint32 // changed since the last flush: its place in the Dedup's changed list + 1
	// ref is the id of the row of its key in the join the deduplication
	// reads, on the join's side unique on the key (0: none held; see Link)
	ref uint32
}

// Row is the row kept.
func (p *DedupPart[R, O]) Row() *R { return &p.row[0] }

// Rows is the row kept as a slice of one, or none before the partition's
// first row (checkpoints).
func (p *DedupPart[R, O]) Rows() []R {
	if !p.has {
		return nil
	}
	return p.row[:]
}

// dedupChunk is the partitions per chunk of a Dedup's slab.
const dedupChunk = 32

// Dedup is the state of a deduplication over an append-only input: per
// partition key the first row by cmp (ties keep the one that came first),
// and the partitions changed since the last flush, in the order first
// changed, with the output row each had left (its old row's projection,
// taken when the row is first replaced). A row that does not rank first
// changes nothing and costs one map lookup and one comparison.
//
// Partitions live in a slab of fixed-size chunks, never moved once placed;
// the map holds each key's slot id, so it has no pointers for the
// collector. When strings are the only pointers of the input and output
// rows, the slab is memory the collector does not scan and the strings'
// bytes live in an arena of the Dedup's own (runtime/strarena): Nexmark q9
// keeps a partition per auction, whose strings the collector marked at
// every cycle, and every row kept set write barriers.
type Dedup[K comparable, R comparable, O comparable] struct {
	index  map[K]uint32 // key -> its partition's id (slot + 1)
	chunks []*[dedupChunk]DedupPart[R, O]
	used   uint32   // slots handed out so far
	spare  []uint32 // ids of slots given back (Prune)
	dirty  []*DedupPart[R, O]
	// prev[i] is the output row dirty[i] had left, if it had emitted one
	prev    []O
	cmp     func(a, b *R) int
	project func(r *R, out []O) []O
	out     []O // project's scratch
	// entry estimates a partition's bytes, for window.Live
	entry int64
	row   R // the row Add is comparing: a pointer into the state, not to Add's parameter
	// flat tells whether the slab is unscanned memory, with the strings at
	// rowStrs in R and partStrs in a partition in arena (the output rows
	// stashed, in prev, are scanned: their strings keep the arena's chunks
	// they point into alive)
	flat              bool
	rowStrs, partStrs []uintptr
	arena             strarena.Arena
	compactions       int // for tests
	// lastKey and lastID are the partition Best found last (0: none): a
	// join read by the deduplication asks for the partition's best row
	// before it adds the rows it joins into it, so Add finds it without a
	// second lookup (ids are stable; Prune forgets it)
	lastKey K
	lastID  uint32
	// retired are the keys Unlink found changed since the last flush: Flush
	// drops them once it has emitted their rows
	retired []K
	// live is the partitions made less those dropped since Flush last
	// counted them in window.Live: an atomic add per partition made (Nexmark
	// q9: one per auction) costs the store buffer's drain each time
	live int64
}

// NewDedup returns an empty deduplication ranking by cmp, whose partitions
// output project(row) (appended to out: one row, or none where a filter
// drops it). project must give the same row each time it is called with
// the same row: the retraction of a partition's output is its old row's
// projection again.
func NewDedup[K comparable, R comparable, O comparable](cmp func(a, b *R) int, project func(r *R, out []O) []O) *Dedup[K, R, O] {
	var k K
	var p DedupPart[R, O]
	s := &Dedup[K, R, O]{index: map[K]uint32{}, cmp: cmp, project: project,
		entry: int64(unsafe.Sizeof(k)+unsafe.Sizeof(p)) + 16}
	rs, ok1 := strarena.Offsets(reflect.TypeFor[R]())
	ps, ok2 := strarena.Offsets(reflect.TypeFor[DedupPart[R, O]]())
	if ok1 && ok2 && len(ps) > 0 {
		s.flat, s.rowStrs, s.partStrs = true, rs, ps
	}
	return s
}

// at is the partition of id n (not 0).
func (s *Dedup[K, R, O]) at(n uint32) *DedupPart[R, O] {
	n--
	return &s.chunks[n/dedupChunk][n%dedupChunk]
}

// place returns the id of a free (zero) slot.
func (s *Dedup[K, R, O]) place() uint32 {
	if n := len(s.spare); n > 0 {
		id := s.spare[n-1]
		s.spare = s.spare[:n-1]
		return id
	}
	if s.used%dedupChunk == 0 {
		if s.flat {
			s.chunks = append(s.chunks, strarena.New[[dedupChunk]DedupPart[R, O]]())
		} else {
			c := new([dedupChunk]DedupPart[R, O])
			prefault.New(unsafe.Pointer(c), unsafe.Sizeof(*c)) // as strarena.New's
			s.chunks = append(s.chunks, c)
		}
	}
	s.used++
	return s.used
}

// setRow sets p's row to s.row.
func (s *Dedup[K, R, O]) setRow(p *DedupPart[R, O]) {
	if !s.flat {
		p.row[0] = s.row
		return
	}
	strarena.Clear(&s.arena, s.rowStrs, &p.row[0])
	strarena.Store(&s.arena, s.rowStrs, &p.row[0], &s.row)
	s.compact()
}

// compact moves the strings kept to new chunks of the arena once most of
// its bytes are dead.
func (s *Dedup[K, R, O]) compact() {
	if !s.arena.Wasteful() {
		return
	}
	s.compactions++
	strarena.Compact(&s.arena, s.partStrs, func(move func(p *DedupPart[R, O])) {
		for id := uint32(1); id <= s.used; id++ {
			move(s.at(id)) // free slots are zero
		}
	})
}

// Len is the number of partitions held.
func (s *Dedup[K, R, O]) Len() int { return len(s.index) }

// Best is the row kept in partition k, or nil: a join read by a
// deduplication leaves out the rows whose joined rows it would drop (see
// compiler/physical's dedupSides, whose deduplications are all a Dedup).
func (s *Dedup[K, R, O]) Best(k K) *R {
	if id, ok := s.index[k]; ok {
		s.lastKey, s.lastID = k, id
		if p := s.at(id); p.has {
			return &p.row[0]
		}
	}
	return nil
}

// BestRef is Best(k) with the id Link gave partition k (0: none): a join
// whose one side is unique on the deduplication's partition key finds its
// row of the key through the deduplication's one lookup, which is then
// the only lookup a row of the other side costs (Nexmark q9: a bid finds
// its auction's best bid and the auction with one map probe).
func (s *Dedup[K, R, O]) BestRef(k K) (*R, uint32) {
	id, ok := s.index[k]
	if !ok {
		return nil, 0
	}
	s.lastKey, s.lastID = k, id
	p := s.at(id)
	if !p.has {
		return nil, p.ref
	}
	return &p.row[0], p.ref
}

// Link records ref, the id of the unique side's row of key k in the join
// read by the deduplication, in partition k (made, without a row, if
// new): every key the join holds a row of has a partition, so a key
// without one has no row there either (see BestRef).
func (s *Dedup[K, R, O]) Link(k K, ref uint32) {
	// the rows the unique row met on arrival may have made the partition
	id := s.lastID
	if id == 0 || s.lastKey != k {
		id = s.find(k)
	}
	p := s.at(id)
	p.ref, p.retire = ref, false
}

// find gives the id of partition k, not the last key, made (without a
// row) if new; k becomes the last key, so that the next Add or Link of
// the same key (a row joined into it) skips the index. The last key is
// tested by the callers, where it inlines: a bid of Nexmark q9 finds its
// partition there (BestRef made it the last).
func (s *Dedup[K, R, O]) find(k K) uint32 {
	id, ok := s.index[k]
	if !ok {
		id = s.place()
		s.index[k] = id
		s.live++
	}
	s.lastKey, s.lastID = k, id
	return id
}

// Unlink tells that the join's unique side no longer holds a row of key k
// (it was dropped, or not kept): no more joined rows of k can come, so
// partition k is final and goes, once flushed if it changed since the
// last flush (its output rows stay emitted).
func (s *Dedup[K, R, O]) Unlink(k K) {
	id, ok := s.index[k]
	if !ok {
		return
	}
	p := s.at(id)
	p.ref = 0
	if p.at != 0 {
		if !p.retire {
			p.retire = true
			s.retired = append(s.retired, k)
		}
		return
	}
	s.drop(k, id)
}

// drop forgets partition k, of id id, not among the changed ones.
func (s *Dedup[K, R, O]) drop(k K, id uint32) {
	delete(s.index, k)
	s.live--
	s.free(s.at(id))
	s.spare = append(s.spare, id)
	if s.lastID == id {
		s.lastID = 0
	}
}

// Add offers row to partition k: it is kept when the partition is new or
// when it ranks before the row kept, and the partition is then marked to
// flush.
func (s *Dedup[K, R, O]) Add(k K, row R) {
	// compared through a pointer into the state: handing &row to cmp (a
	// func value) would move every row to the heap
	s.row = row
	id := s.lastID
	if id == 0 || s.lastKey != k {
		id = s.find(k)
	}
	p := s.at(id)
	if !p.has { // new, or made by Link
		p.has = true
		s.setRow(p)
		s.mark(p)
		return
	}
	if s.cmp(&p.row[0], &s.row) <= 0 {
		return // ranked after (or tied with, arriving later) the row kept
	}
	if p.at == 0 {
		s.mark(p) // before its row goes: the output it left is that row's
	}
	s.setRow(p)
}

// mark puts p, not changed yet, on the changed list, with the output row
// it left (the projection of its row, which is about to be replaced).
func (s *Dedup[K, R, O]) mark(p *DedupPart[R, O]) {
	var o O
	if p.emitted {
		s.out = s.project(&p.row[0], s.out[:0])
		if len(s.out) == 0 {
			panic("topn: a deduplication's projection dropped a row it had emitted")
		}
		o = s.out[0]
		clear(s.out)
	}
	s.dirty = append(s.dirty, p)
	s.prev = append(s.prev, o)
	p.at = uint32(len(s.dirty))
}

// Changed is the number of partitions changed since the last flush.
func (s *Dedup[K, R, O]) Changed() int { return len(s.dirty) }

// Flush emits what changed since the last flush, partition by partition in
// the order first changed: emit with '-' for the output row a partition
// had left unless it is its new one's, then with '+' for the new one.
func (s *Dedup[K, R, O]) Flush(emit func(r *O, op byte)) {
	for i, p := range s.dirty {
		s.out = s.project(&p.row[0], s.out[:0])
		had := p.emitted
		p.emitted, p.at = len(s.out) > 0, 0
		if had {
			if p.emitted && s.prev[i] == s.out[0] {
				continue
			}
			emit(&s.prev[i], '-')
		}
		if p.emitted {
			emit(&s.out[0], '+')
		}
	}
	clear(s.out)
	clear(s.dirty)
	s.dirty = s.dirty[:0]
	clear(s.prev)
	s.prev = s.prev[:0]
	for _, k := range s.retired {
		if id, ok := s.index[k]; ok && s.at(id).retire {
			s.drop(k, id)
		}
	}
	clear(s.retired)
	s.retired = s.retired[:0]
	if s.live != 0 {
		window.AddLive(s.live, s.entry)
		s.live = 0
	}
}

// Emitted is the output row p last emitted, none or one (checkpoints): the
// one stashed when it changed since, else its row's projection. The slice
// is valid until the next call.
func (s *Dedup[K, R, O]) Emitted(p *DedupPart[R, O]) []O {
	if !p.emitted {
		return nil
	}
	if p.at != 0 {
		return s.prev[p.at-1 : p.at]
	}
	s.out = s.project(&p.row[0], s.out[:0])
	return s.out[:1]
}

// Restore puts a partition back from a checkpoint: its row (rows holds
// one) and the output row it had emitted (none or one). That row is its
// row's projection when the checkpoint followed a flush; else (a partition
// changed since) the partition is marked changed with that row stashed,
// for the next flush to retract. (A partition changed since that had
// emitted nothing is restored unchanged: telling it from one whose row a
// filter drops would take its projection, which may report a failure the
// flush before the checkpoint reported.)
func (s *Dedup[K, R, O]) Restore(k K, rows []R, emitted []O) {
	if len(rows) == 0 {
		return // a partition keeps its row once it has one
	}
	id, ok := s.index[k]
	if !ok {
		id = s.place()
		s.index[k] = id
		window.AddLive(1, s.entry)
	}
	p := s.at(id)
	s.row = rows[0]
	p.has = true
	s.setRow(p)
	p.emitted = len(emitted) > 0
	if !p.emitted {
		return
	}
	if p.at == 0 {
		s.out = s.project(&p.row[0], s.out[:0])
		same := len(s.out) > 0 && s.out[0] == emitted[0]
		clear(s.out)
		if same {
			return
		}
		s.dirty = append(s.dirty, p)
		s.prev = append(s.prev, emitted[0])
		p.at = uint32(len(s.dirty))
	} else {
		s.prev[p.at-1] = emitted[0]
	}
}

// Each calls f for every partition, in no particular order (checkpoints).
func (s *Dedup[K, R, O]) Each(f func(k K, p *DedupPart[R, O])) {
	for k, id := range s.index {
		f(k, s.at(id))
	}
}

// Prune drops the partitions whose key keep reports false for (a worker's
// share of a checkpoint's state, loaded whole: job.Partitioned), with their
// place among the changed partitions.
func (s *Dedup[K, R, O]) Prune(keep func(k K) bool) {
	s.lastID = 0
	gone := map[*DedupPart[R, O]]bool{}
	for k, id := range s.index {
		if !keep(k) {
			delete(s.index, k)
			window.AddLive(-1, s.entry)
			gone[s.at(id)] = true
			s.free(s.at(id))
			s.spare = append(s.spare, id)
		}
	}
	if len(gone) == 0 {
		return
	}
	n := 0
	for i, p := range s.dirty {
		if !gone[p] {
			s.dirty[n], s.prev[n] = p, s.prev[i]
			n++
			p.at = uint32(n)
		}
	}
	clear(s.dirty[n:])
	s.dirty = s.dirty[:n]
	clear(s.prev[n:])
	s.prev = s.prev[:n]
}

// free zeroes a partition whose slot is given back.
func (s *Dedup[K, R, O]) free(p *DedupPart[R, O]) {
	if s.flat {
		strarena.Clear(&s.arena, s.partStrs, p)
		s.compact()
	} else {
		*p = DedupPart[R, O]{}
	}
}
