package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzManifest stores arbitrary bytes as the MANIFEST of the newest
// checkpoint: Latest must not panic, must not fail, and must return either
// that checkpoint, fully verified, or the older intact one with the newest
// reported as skipped. With fixCRC the bytes get a correct checksum line, so
// the JSON and its checks are exercised, not only the checksum.
func FuzzManifest(f *testing.F) {
	template := f.TempDir()
	s := openStore(f, template, Options{})
	mustWrite(f, s, sample(1))
	mustWrite(f, s, sample(2))
	newest := filepath.Join(template, "cp-00000000000000000002")
	valid, err := os.ReadFile(filepath.Join(newest, manifestName))
	if err != nil {
		f.Fatal(err)
	}
	body := valid[:len(valid)-crcLineLen]
	f.Add(valid, false)
	f.Add(body, true)
	f.Add(valid[:len(valid)/2], false)
	f.Add([]byte{}, false)
	f.Add([]byte("crc32c 00000000\n"), false)
	f.Add([]byte(`{"format":"laminar-checkpoint","version":1,"epoch":2,"units":[{"id":"x","file":"MANIFEST","size":3}]}`), true)
	f.Add([]byte(`{"format":"laminar-checkpoint","version":1,"epoch":2,"units":[{"id":"x","file":"unit-000000","size":-1}]}`), true)
	f.Add([]byte(`{"format":"laminar-checkpoint","version":1,"epoch":2,"sinks":[{"name":"s","size":5}]}`), true)
	f.Add([]byte(`{"format":"laminar-checkpoint","version":1,"epoch":2,"units":[{"id":"x","file":"unit-000001","size":99999999999}]}`), true)

	f.Fuzz(func(t *testing.T, data []byte, fixCRC bool) {
		if fixCRC {
			data, _ = encodeRaw(append([]byte(nil), data...))
		}
		// Latest changes nothing, so one store serves every input.
		if err := os.WriteFile(filepath.Join(newest, manifestName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cp, skipped := latest(t, template)
		switch {
		case cp == nil:
			t.Fatal("Latest lost the intact older checkpoint")
		case cp.Epoch == 2:
			if len(skipped) != 0 {
				t.Fatalf("returned epoch 2 and skipped %v", skipped)
			}
		case cp.Epoch == 1:
			checkEqual(t, cp, sample(1))
			if len(skipped) != 1 || skipped[0].Epoch != 2 || skipped[0].Err == nil {
				t.Fatalf("epoch 2 not reported: %+v", skipped)
			}
		default:
			t.Fatalf("Latest returned epoch %d", cp.Epoch)
		}
	})
}
