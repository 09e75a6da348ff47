package checkpoint

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	manifestName    = "MANIFEST"
	manifestFormat  = "laminar-checkpoint"
	manifestVersion = 1
	// maxManifestSize bounds what Latest reads as a manifest, so a damaged
	// directory cannot make it allocate without limit.
	maxManifestSize = 64 << 20
	crcLinePrefix   = "crc32c "
	crcLineLen      = len(crcLinePrefix) + 8 + 1 // "crc32c 1234abcd\n"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// manifest is the JSON body of MANIFEST.
type manifest struct {
	Format   string      `json:"format"`
	Version  int         `json:"version"`
	Epoch    uint64      `json:"epoch"`
	Pipeline string      `json:"pipeline"`
	Created  time.Time   `json:"created"`
	Sources  []SourcePos `json:"sources"`
	Sinks    []sinkEntry `json:"sinks"`
	Units    []unitEntry `json:"units"`
}

// dataFile is a data file of the checkpoint; File is empty when there is no
// data.
type dataFile struct {
	File   string `json:"file,omitempty"`
	Size   int64  `json:"size"`
	CRC32C uint32 `json:"crc32c"`
}

type unitEntry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	dataFile
}

type sinkEntry struct {
	Name  string `json:"name"`
	Epoch uint64 `json:"epoch"`
	dataFile
}

// encodeManifest returns MANIFEST's bytes: the JSON body and its CRC line.
func encodeManifest(m *manifest) ([]byte, error) {
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return encodeRaw(append(body, '\n'))
}

// encodeRaw appends the checksum line to a manifest body.
func encodeRaw(body []byte) ([]byte, error) {
	return fmt.Appendf(body, "%s%08x\n", crcLinePrefix, crc32.Checksum(body, castagnoli)), nil
}

// damaged returns an error that matches ErrDamaged.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// decodeManifest checks MANIFEST's checksum and contents; epoch is the one
// the directory name gives.
func decodeManifest(data []byte, epoch uint64) (*manifest, error) {
	if len(data) < crcLineLen {
		return nil, damaged("MANIFEST is truncated (%d bytes)", len(data))
	}
	body, line := data[:len(data)-crcLineLen], string(data[len(data)-crcLineLen:])
	hex, ok := strings.CutPrefix(line, crcLinePrefix)
	if !ok || !strings.HasSuffix(hex, "\n") {
		return nil, damaged("MANIFEST has no checksum line")
	}
	want, err := strconv.ParseUint(hex[:8], 16, 32)
	if err != nil {
		return nil, damaged("MANIFEST checksum line %q", strings.TrimSpace(line))
	}
	if got := crc32.Checksum(body, castagnoli); got != uint32(want) {
		return nil, damaged("MANIFEST checksum mismatch: %08x, expected %08x", got, want)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, damaged("MANIFEST: %v", err)
	}
	if m.Format != manifestFormat {
		return nil, damaged("MANIFEST format %q, expected %q", m.Format, manifestFormat)
	}
	if m.Version != manifestVersion {
		return nil, damaged("MANIFEST version %d, this build reads %d", m.Version, manifestVersion)
	}
	if m.Epoch != epoch {
		return nil, damaged("MANIFEST epoch %d in the directory of epoch %d", m.Epoch, epoch)
	}
	seen := map[string]bool{}
	check := func(what string, f dataFile) error {
		if f.Size < 0 || (f.File == "" && f.Size != 0) {
			return damaged("MANIFEST: %s has size %d without a file", what, f.Size)
		}
		if f.File == "" {
			return nil
		}
		// Only plain names of this directory: a damaged manifest must not
		// send Latest elsewhere.
		if f.File != filepath.Base(f.File) || f.File == "." || f.File == ".." || f.File == manifestName || seen[f.File] {
			return damaged("MANIFEST: %s has file name %q", what, f.File)
		}
		seen[f.File] = true
		return nil
	}
	for _, u := range m.Units {
		if err := check("unit "+strconv.Quote(u.ID), u.dataFile); err != nil {
			return nil, err
		}
	}
	for _, s := range m.Sinks {
		if err := check("sink "+strconv.Quote(s.Name), s.dataFile); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// readManifest reads and checks the MANIFEST of the checkpoint in dir.
func (s *Store) readManifest(dir string, epoch uint64) (*manifest, error) {
	f, err := s.fs.OpenFile(filepath.Join(dir, manifestName), os.O_RDONLY, 0)
	if err != nil {
		if isNotExist(err) {
			return nil, damaged("no MANIFEST")
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifestSize {
		return nil, damaged("MANIFEST is larger than %d bytes", maxManifestSize)
	}
	return decodeManifest(data, epoch)
}

// load reads and verifies the checkpoint in dir completely.
func (s *Store) load(dir string, epoch uint64, skipUnits func([]SourcePos) bool) (*Checkpoint, error) {
	m, err := s.readManifest(dir, epoch)
	if err != nil {
		return nil, err
	}
	cp := &Checkpoint{
		Epoch:    m.Epoch,
		Pipeline: m.Pipeline,
		Sources:  m.Sources,
		Created:  m.Created,
		Units:    make([]Unit, len(m.Units)),
		Sinks:    make([]SinkState, len(m.Sinks)),
	}
	cp.UnitsSkipped = skipUnits != nil && skipUnits(cp.Sources)
	for i, u := range m.Units {
		if cp.UnitsSkipped {
			cp.Units[i] = Unit{ID: u.ID, Name: u.Name}
			continue
		}
		data, err := s.readData(dir, u.dataFile)
		if err != nil {
			return nil, fmt.Errorf("unit %q: %w", u.ID, err)
		}
		cp.Units[i] = Unit{ID: u.ID, Name: u.Name, Data: data}
	}
	for i, k := range m.Sinks {
		data, err := s.readData(dir, k.dataFile)
		if err != nil {
			return nil, fmt.Errorf("sink %q: %w", k.Name, err)
		}
		cp.Sinks[i] = SinkState{Name: k.Name, Epoch: k.Epoch, Data: data}
	}
	return cp, nil
}

// readData reads a data file and checks its size and checksum. The size is
// checked before anything is allocated.
func (s *Store) readData(dir string, df dataFile) ([]byte, error) {
	if df.File == "" {
		return nil, nil
	}
	if err := s.checkSize(dir, df); err != nil {
		return nil, err
	}
	f, err := s.fs.OpenFile(filepath.Join(dir, df.File), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, df.Size)
	if _, err := io.ReadFull(f, data); err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, damaged("%s is shorter than %d bytes", df.File, df.Size)
		}
		return nil, err
	}
	if got := crc32.Checksum(data, castagnoli); got != df.CRC32C {
		return nil, damaged("%s checksum mismatch: %08x, expected %08x", df.File, got, df.CRC32C)
	}
	return data, nil
}

// checkSize checks that a data file exists with the size the manifest gives.
func (s *Store) checkSize(dir string, df dataFile) error {
	fi, err := s.fs.Stat(filepath.Join(dir, df.File))
	if err != nil {
		if isNotExist(err) {
			return damaged("%s is missing", df.File)
		}
		return err
	}
	if fi.Size() != df.Size {
		return damaged("%s has %d bytes, expected %d", df.File, fi.Size(), df.Size)
	}
	return nil
}

// looksValid is the cheap check pruning uses: the manifest verifies and
// every data file has its size. Latest checks the data's checksums too.
func (s *Store) looksValid(dir string, epoch uint64) bool {
	m, err := s.readManifest(dir, epoch)
	if err != nil {
		return false
	}
	for _, u := range m.Units {
		if u.File != "" && s.checkSize(dir, u.dataFile) != nil {
			return false
		}
	}
	for _, k := range m.Sinks {
		if k.File != "" && s.checkSize(dir, k.dataFile) != nil {
			return false
		}
	}
	return true
}
