package stack

import (
	"io"
	"testing"
)

// TestConcatReadsAndRewinds reads the spliced body twice, as SigV4's
// payload hash and a retry do.
func TestConcatReadsAndRewinds(t *testing.T) {
	t.Parallel()
	r := newConcat([]byte(`{"Code":{"ZipFile":"`), []byte("QUJD"), []byte(`"},"FunctionName":"f"}`))
	want := `{"Code":{"ZipFile":"QUJD"},"FunctionName":"f"}`
	for range 2 {
		b, err := io.ReadAll(r)
		if err != nil || string(b) != want {
			t.Fatalf("read %q, %v; want %q", b, err, want)
		}
		if r.Size() != int64(len(want)) {
			t.Errorf("Size = %d, want %d", r.Size(), len(want))
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
	}
}
