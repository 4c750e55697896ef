package testdb

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var templateMu sync.Mutex

// templateVersion changes when the way templates are built changes, so an
// old cache entry is never used.
const templateVersion = "3"

// templateDir returns a pristine, never-started data directory made by
// build, cached under the user's cache dir and keyed by the program that
// made it and runs it (path, size, modification time of each) and the
// account servers run as.
// Copying it is much cheaper than initdb or mariadb-install-db, which
// matters when many test packages each start servers.
//
// The entry is built in a scratch directory and renamed into place, so
// concurrent test processes never see a half-built template.
func templateDir(kind string, programs []string, as *runAs, build func(data string) error) (string, error) {
	// One build per process; other processes may race, and the rename
	// below settles that.
	templateMu.Lock()
	defer templateMu.Unlock()
	uid := os.Geteuid()
	if as != nil {
		uid = as.uid
	}
	key := fmt.Sprint(templateVersion, uid)
	for _, p := range programs {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		key += fmt.Sprint("|", p, st.Size(), st.ModTime().UnixNano())
	}
	h := sha256.Sum256([]byte(key))
	root, err := os.UserCacheDir()
	if err != nil {
		root = os.TempDir()
	}
	root = filepath.Join(root, "rotator-testdb")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(root, kind+"-"+hex.EncodeToString(h[:8]))
	if _, err := os.Stat(filepath.Join(final, "data")); err == nil {
		return filepath.Join(final, "data"), nil
	}
	// The scratch dir is under scratchRoot, which an unprivileged
	// server account can traverse (the user's cache dir may not be).
	scratch, err := makeDir("", "rotator-template-", as)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(scratch)
	if err := build(filepath.Join(scratch, "data")); err != nil {
		return "", err
	}
	staged, err := os.MkdirTemp(root, "staging-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(staged)
	if err := copyTree(filepath.Join(scratch, "data"), filepath.Join(staged, "data")); err != nil {
		return "", err
	}
	if err := os.Rename(staged, final); err != nil {
		// Another process won the race: use its template.
		if _, statErr := os.Stat(filepath.Join(final, "data")); statErr != nil {
			return "", err
		}
	}
	return filepath.Join(final, "data"), nil
}

// copyTree copies a directory keeping modes and owners (cp -a).
func copyTree(src, dst string) error {
	out, err := exec.Command("cp", "-a", "--reflink=auto", src, dst).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp -a: %w: %s", err, out)
	}
	return nil
}
