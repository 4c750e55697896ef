package lambdabundle

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// File is one entry of a zip written by WriteZip.
type File struct {
	Name string
	Mode fs.FileMode // permission bits, e.g. 0o755
	Data []byte
}

// ZipTime is the modification time of every entry: the zip (MS-DOS) epoch,
// so that a rebuild gives the same bytes.
var ZipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteZip writes files as a reproducible zip: entries sorted by name,
// every time ZipTime, Unix modes from File.Mode, Deflate at the best
// compression level. The same files always give the same bytes.
func WriteZip(w io.Writer, files []File) error {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for i, f := range sorted {
		if f.Name == "" || strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, "..") {
			return fmt.Errorf("zip entry %q: invalid name", f.Name)
		}
		if i > 0 && sorted[i-1].Name == f.Name {
			return fmt.Errorf("zip entry %q: duplicate name", f.Name)
		}
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: ZipTime}
		h.SetMode(f.Mode.Perm()) // a regular file; sets the Unix creator version
		ew, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("zip entry %q: %w", f.Name, err)
		}
		if _, err := ew.Write(f.Data); err != nil {
			return fmt.Errorf("zip entry %q: %w", f.Name, err)
		}
	}
	return zw.Close()
}
