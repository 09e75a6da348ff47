package parquet

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"

	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Bounds on what a damaged or crafted file can make arrow-go allocate.
// arrow-go sizes its buffers by what the file's metadata claims: a column
// chunk's length (read whole into memory), a page's compressed and
// uncompressed sizes, a dictionary page's number of values and the
// largest index a data page names (the dictionary is decoded up to it).
// Claims beyond these bounds make the file an error naming it, before the
// allocation:
//
//   - a column chunk must lie inside the file;
//   - no single buffer may take more than pageLimit(file size): 64 MiB, or
//     1024 times the file's size (a page compressed 1024:1), at most 1 GiB;
//   - a dictionary page cannot hold more values than its bytes can encode
//     (4 bytes at least per BYTE_ARRAY or INT32 value, 8 per INT64, ...);
//   - a dictionary-encoded data page's index bit width must fit the
//     dictionary: 2^width at most twice its values plus 64 (a writer uses
//     the fewest bits that name every value).
const (
	minPageLimit = 64 << 20
	maxPageLimit = 1 << 30
)

// pageLimit is the largest buffer the reader of a file of size bytes may
// allocate.
func pageLimit(size int64) int {
	return int(min(max(size*1024, minPageLimit), maxPageLimit))
}

// errTooLarge is the panic of a limited allocator (recovered by Next).
type errTooLarge struct{ n, limit int }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("the file claims a page of %d bytes, more than the %d a file of its size can hold (damaged metadata)", e.n, e.limit)
}

// limitedAllocator refuses a buffer larger than limit: arrow-go allocates
// page buffers through it, sized by the page headers.
type limitedAllocator struct {
	memory.Allocator
	limit int
}

func (a limitedAllocator) Allocate(n int) []byte {
	if n > a.limit {
		panic(errTooLarge{n, a.limit})
	}
	return a.Allocator.Allocate(n)
}

func (a limitedAllocator) Reallocate(n int, b []byte) []byte {
	if n > a.limit {
		panic(errTooLarge{n, a.limit})
	}
	return a.Allocator.Reallocate(n, b)
}

// openBounded opens a Parquet file with its page buffers limited.
func openBounded(path string, size int64) (*file.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	err = checkFooter(f, size)
	f.Close()
	if err != nil {
		return nil, err
	}
	props := pq.NewReaderProperties(limitedAllocator{memory.NewGoAllocator(), pageLimit(size)})
	return file.OpenParquetFile(path, false, file.WithReadProps(props))
}

// checkChunk refuses a column chunk that does not lie inside the file (its
// bytes are read into memory whole, by the length it claims).
func checkChunk(cc *metadata.ColumnChunkMetaData, size int64) error {
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
		start = cc.DictionaryPageOffset()
	}
	n := cc.TotalCompressedSize()
	if start < 0 || n < 0 || start > size || n > size-start {
		return fmt.Errorf("the column chunk's metadata places it at bytes [%d, %d+%d) of a file of %d bytes (damaged metadata)", start, start, n, size)
	}
	return nil
}

// columnReader is rg.Column(i) with the chunk checked and its pages
// checked as they are read (boundedPages), sharing r's buffers as
// rg.Column's readers do.
func columnReader(r *file.Reader, rg *file.RowGroupReader, i int, descr *schema.Column, size int64) (file.ColumnChunkReader, error) {
	cc, err := rg.MetaData().ColumnChunk(i)
	if err != nil {
		return nil, err
	}
	if err := checkChunk(cc, size); err != nil {
		return nil, err
	}
	pages, err := rg.GetColumnPageReader(i)
	if err != nil {
		return nil, err
	}
	return file.NewColumnReader(descr, &boundedPages{PageReader: pages, descr: descr, dictValues: -1},
		limitedAllocator{memory.NewGoAllocator(), pageLimit(size)}, r.BufferPool()), nil
}

// boundedPages checks each page of a column chunk before the column
// reader decodes it: a dictionary page's number of values against its
// bytes, a dictionary-encoded data page's index width against the
// dictionary.
type boundedPages struct {
	file.PageReader
	descr      *schema.Column
	dictValues int // of the chunk's dictionary page; -1 before it
	err        error
}

func (p *boundedPages) Next() bool {
	if p.err != nil || !p.PageReader.Next() {
		return false
	}
	if err := p.check(p.PageReader.Page()); err != nil {
		p.err = err
		return false
	}
	return true
}

func (p *boundedPages) Err() error {
	if p.err != nil {
		return p.err
	}
	return p.PageReader.Err()
}

func (p *boundedPages) check(pg file.Page) error {
	if pg == nil {
		return nil
	}
	data := pg.Data()
	switch pg := pg.(type) {
	case *file.DictionaryPage:
		n := int(pg.NumValues())
		if most := valuesIn(p.descr, len(data)); n < 0 || n > most {
			return fmt.Errorf("a dictionary page claims %d values in %d bytes, which hold %d at most (damaged page header)", n, len(data), most)
		}
		p.dictValues = n
		return nil
	case *file.DataPageV1:
		if !isDictEncoding(pq.Encoding(pg.Encoding())) {
			return nil
		}
		off := 0
		if p.descr.MaxDefinitionLevel() > 0 {
			switch pg.DefinitionLevelEncoding() {
			case pq.Encodings.RLE:
				if len(data) < 4 {
					return nil // arrow-go reports it
				}
				off = 4 + int(binary.LittleEndian.Uint32(data))
			case pq.Encodings.BitPacked:
				off = (int(pg.NumValues())*bits.Len(uint(p.descr.MaxDefinitionLevel())) + 7) / 8
			default:
				return nil
			}
		}
		return p.checkWidth(data, off)
	case *file.DataPageV2:
		if !isDictEncoding(pq.Encoding(pg.Encoding())) {
			return nil
		}
		return p.checkWidth(data, int(pg.RepetitionLevelByteLen())+int(pg.DefinitionLevelByteLen()))
	}
	return nil
}

// checkWidth checks the bit width of a data page's dictionary indices, the
// first byte of its values at off.
func (p *boundedPages) checkWidth(data []byte, off int) error {
	if off < 0 || off >= len(data) || p.dictValues < 0 {
		return nil // no values, or no dictionary: arrow-go reports it
	}
	w := int(data[off])
	if w >= 32 || 1<<w > 2*p.dictValues+64 {
		return fmt.Errorf("a data page names dictionary indices of %d bits, and the dictionary has %d values (damaged page)", w, p.dictValues)
	}
	return nil
}

func isDictEncoding(e pq.Encoding) bool {
	return e == pq.Encodings.RLEDict || e == pq.Encodings.PlainDict
}

// valuesIn is the most PLAIN-encoded values of column descr n bytes hold.
func valuesIn(descr *schema.Column, n int) int {
	switch descr.PhysicalType() {
	case pq.Types.Boolean:
		return n * 8
	case pq.Types.Int32, pq.Types.Float, pq.Types.ByteArray: // a BYTE_ARRAY value: a 4-byte length, then its bytes
		return n / 4
	case pq.Types.Int64, pq.Types.Double:
		return n / 8
	case pq.Types.Int96:
		return n / 12
	case pq.Types.FixedLenByteArray:
		return n / max(descr.TypeLength(), 1)
	}
	return n
}

// checkFooter walks the file's footer (Thrift compact protocol) before
// arrow-go decodes it: arrow-go's Thrift code sizes each list by the count
// it claims (up to 100M elements a list), so a damaged count allocates
// gigabytes; here every list, set, map and string must fit in the bytes
// left of the footer. An encrypted footer ("PARE") is left to arrow-go.
func checkFooter(f *os.File, size int64) error {
	if size < 12 {
		return nil // arrow-go reports it
	}
	var tail [8]byte
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(tail[4:]) != "PAR1" {
		return nil
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return nil // arrow-go reports it
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, size-8-n); err != nil {
		return err
	}
	w := thriftWalker{b: buf}
	if err := w.walk(thriftStruct, 0); err != nil {
		return fmt.Errorf("damaged footer at byte %d of its %d: %w", w.at, n, err)
	}
	return nil
}

// Thrift compact protocol types.
const (
	thriftTrue   = 1
	thriftFalse  = 2
	thriftByte   = 3
	thriftI16    = 4
	thriftI32    = 5
	thriftI64    = 6
	thriftDouble = 7
	thriftBinary = 8
	thriftList   = 9
	thriftSet    = 10
	thriftMap    = 11
	thriftStruct = 12
)

type thriftWalker struct {
	b  []byte
	at int
}

var errFooterEnds = fmt.Errorf("it ends inside a value")

func (w *thriftWalker) byte1() (byte, error) {
	if w.at >= len(w.b) {
		return 0, errFooterEnds
	}
	c := w.b[w.at]
	w.at++
	return c, nil
}

func (w *thriftWalker) varint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := w.byte1()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, fmt.Errorf("a varint of more than 10 bytes")
}

// count reads a collection's or string's size and checks that as many
// elements of at least one byte fit in what is left.
func (w *thriftWalker) count(v uint64) (int, error) {
	if v > uint64(len(w.b)-w.at) {
		return 0, fmt.Errorf("it claims %d elements with %d bytes left", v, len(w.b)-w.at)
	}
	return int(v), nil
}

func (w *thriftWalker) walk(t byte, depth int) error {
	if depth > 64 {
		return fmt.Errorf("values nested more than 64 deep")
	}
	switch t {
	case thriftTrue, thriftFalse, thriftByte:
		if t == thriftByte {
			_, err := w.byte1()
			return err
		}
		return nil
	case thriftI16, thriftI32, thriftI64:
		_, err := w.varint()
		return err
	case thriftDouble:
		if len(w.b)-w.at < 8 {
			return errFooterEnds
		}
		w.at += 8
		return nil
	case thriftBinary:
		v, err := w.varint()
		if err != nil {
			return err
		}
		n, err := w.count(v)
		w.at += n
		return err
	case thriftList, thriftSet:
		h, err := w.byte1()
		if err != nil {
			return err
		}
		v := uint64(h >> 4)
		if v == 15 {
			if v, err = w.varint(); err != nil {
				return err
			}
		}
		n, err := w.count(v)
		if err != nil {
			return err
		}
		et := h & 0x0f
		for range n {
			if et == thriftTrue || et == thriftFalse { // a bool element is a byte
				if _, err := w.byte1(); err != nil {
					return err
				}
				continue
			}
			if err := w.walk(et, depth+1); err != nil {
				return err
			}
		}
		return nil
	case thriftMap:
		v, err := w.varint()
		if err != nil {
			return err
		}
		n, err := w.count(v)
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte1()
		if err != nil {
			return err
		}
		for range n {
			for _, et := range []byte{kv >> 4, kv & 0x0f} {
				if err := w.walk(et, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	case thriftStruct:
		for {
			h, err := w.byte1()
			if err != nil {
				return err
			}
			if h == 0 { // stop
				return nil
			}
			if h>>4 == 0 { // a field id of its own, zigzag i16
				if _, err := w.varint(); err != nil {
					return err
				}
			}
			if err := w.walk(h&0x0f, depth+1); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown value type %d", t)
}
