// Package release checks a release build the way a registry user meets it.
//
// `make release-check` builds a GoReleaser snapshot (scripts/release.sh:
// linux_amd64 and linux_arm64, signing skipped) into dist/, then runs this
// package's tests with ROTATOR_RELEASE_DIST=dist. They:
//
//   - read the SHA256SUMS the registry would publish and check every file it
//     lists, the archive names, the manifest's protocol version and the one
//     binary inside each zip (OpenDist);
//   - lay the archives out as `terraform providers mirror` does
//     (WriteMirror), point a CLI configuration's filesystem_mirror at it,
//     with no dev_overrides (MirrorCLIConfig), run `init` with
//     `version = "~> 0.1"`, check the lock file it wrote holds the archive's
//     h1 hash (Hash1) and that a tampered archive is refused, then apply
//     examples/demo against the emulator, rotate once and destroy, with
//     OpenTofu and with a Terraform >= 1.11 on the PATH;
//   - check each linux binary embeds the rotation function's zips and
//     answers the plugin handshake, the arm64 one under qemu-aarch64-static.
//
// Without ROTATOR_RELEASE_DIST those tests skip and say how to run them; the
// helpers' own unit tests always run.
package release

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ProjectName prefixes every release file, and is the binary's name.
const ProjectName = "terraform-provider-rotator"

// Dist is a release as published: archives, SHA256SUMS and manifest.
type Dist struct {
	Dir     string
	Version string
	// Archives maps a platform ("linux_amd64") to its zip's file name.
	Archives map[string]string
	// Sums maps each file the SHA256SUMS lists to its hex SHA-256.
	Sums map[string]string
	// SumsFile is the checksum file's name in Dir; Manifest is the
	// manifest's published name, and ManifestPath where its content is.
	SumsFile, Manifest, ManifestPath string
}

var sumsFileRE = regexp.MustCompile(`^` + ProjectName + `_(\d+\.\d+\.\d+[^_]*)_SHA256SUMS$`)

// OpenDist reads the release in dir: exactly one <name>_<version>_SHA256SUMS,
// every file it lists present with that SHA-256, archives named
// <name>_<version>_<os>_<arch>.zip and the <name>_<version>_manifest.json.
//
// GoReleaser checksums the manifest from the repository's
// terraform-registry-manifest.json (checksum.extra_files) and uploads it
// under its published name only when it publishes (release.extra_files), so
// a snapshot's dist/ lacks it: manifestSrc, when not empty, is the file
// read for the manifest when dir has none.
func OpenDist(dir, manifestSrc string) (*Dist, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	d := &Dist{Dir: dir, Archives: map[string]string{}, Sums: map[string]string{}}
	for _, e := range entries {
		if m := sumsFileRE.FindStringSubmatch(e.Name()); m != nil {
			if d.SumsFile != "" {
				return nil, fmt.Errorf("%s holds two checksum files, %s and %s", dir, d.SumsFile, e.Name())
			}
			d.SumsFile, d.Version = e.Name(), m[1]
		}
	}
	if d.SumsFile == "" {
		return nil, fmt.Errorf("no %s_<version>_SHA256SUMS in %s", ProjectName, dir)
	}
	b, err := os.ReadFile(filepath.Join(dir, d.SumsFile))
	if err != nil {
		return nil, err
	}
	if d.Sums, err = ParseSums(b); err != nil {
		return nil, fmt.Errorf("%s: %w", d.SumsFile, err)
	}
	archiveRE := regexp.MustCompile(`^` + regexp.QuoteMeta(ProjectName+"_"+d.Version+"_") + `([a-z0-9]+_[a-z0-9]+)\.zip$`)
	var problems []string
	manifestName := ProjectName + "_" + d.Version + "_manifest.json"
	for name, want := range d.Sums {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); name == manifestName && manifestSrc != "" && errors.Is(err, os.ErrNotExist) {
			path = manifestSrc
		}
		got, err := fileSHA256(path)
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case got != want:
			problems = append(problems, fmt.Sprintf("%s (%s): SHA-256 %s, but %s lists %s", name, path, got, d.SumsFile, want))
		}
		if m := archiveRE.FindStringSubmatch(name); m != nil {
			d.Archives[m[1]] = name
		} else if name == manifestName {
			d.Manifest, d.ManifestPath = name, path
		} else {
			problems = append(problems, fmt.Sprintf("%s lists %s, which is neither a %s_%s_<os>_<arch>.zip nor the manifest", d.SumsFile, name, ProjectName, d.Version))
		}
	}
	if d.Manifest == "" {
		problems = append(problems, fmt.Sprintf("%s does not list %s_%s_manifest.json", d.SumsFile, ProjectName, d.Version))
	}
	if len(d.Archives) == 0 {
		problems = append(problems, d.SumsFile+" lists no archive")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return d, nil
}

// ParseSums parses `sha256sum` output: "<64 hex digits>  <file name>" lines.
func ParseSums(b []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if _, err := hex.DecodeString(sum); !ok || err != nil || len(sum) != 64 || name == "" {
			return nil, fmt.Errorf("line %d is not \"<sha256>  <file>\": %q", n, line)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("line %d lists %s again", n, name)
		}
		out[name] = sum
	}
	return out, sc.Err()
}

// BinaryName is the executable each archive must hold: the registry
// requires terraform-provider-<type>_v<version> (plus .exe on Windows).
func BinaryName(version, platform string) string {
	name := ProjectName + "_v" + version
	if strings.HasPrefix(platform, "windows_") {
		name += ".exe"
	}
	return name
}

// ZipFiles returns the names of the files in a zip.
func ZipFiles(path string) ([]string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	names := make([]string, 0, len(zr.File))
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names, nil
}

// ExtractFile writes the zip entry name to dst with its mode.
func ExtractFile(zipPath, name, dst string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, f.Mode().Perm()|0o700)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, rc); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	return fmt.Errorf("%s has no %s", zipPath, name)
}

// Hash1 is the "h1:" package hash Terraform and OpenTofu record in
// .terraform.lock.hcl: Go's dirhash Hash1 over the files in the zip (a
// SHA-256 of the lines "<hex sha256 of file>  <name>\n" in name order,
// base64).
func Hash1(zipPath string) (string, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	h := sha256.New()
	for _, f := range files {
		if strings.Contains(f.Name, "\n") {
			return "", fmt.Errorf("%s: file name with a newline", zipPath)
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		fh := sha256.New()
		_, err = io.Copy(fh, rc)
		rc.Close()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%x  %s\n", fh.Sum(nil), f.Name)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// WriteMirror lays the archives out under dir the way `terraform providers
// mirror` does (the packed layout a filesystem_mirror reads), for each
// provider address (HOST/NAMESPACE/TYPE):
//
//	HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip
//	HOST/NAMESPACE/TYPE/index.json    {"versions":{"VERSION":{}}}
//	HOST/NAMESPACE/TYPE/VERSION.json  {"archives":{"OS_ARCH":{"url":…,"hashes":["h1:…"]}}}
//
// It returns the written paths, relative to dir and sorted.
func WriteMirror(d *Dist, dir string, addresses []string) ([]string, error) {
	type archive struct {
		URL    string   `json:"url"`
		Hashes []string `json:"hashes"`
	}
	archives := map[string]archive{}
	for platform, name := range d.Archives {
		h1, err := Hash1(filepath.Join(d.Dir, name))
		if err != nil {
			return nil, err
		}
		archives[platform] = archive{URL: name, Hashes: []string{h1}}
	}
	index, err := json.MarshalIndent(map[string]any{"versions": map[string]any{d.Version: struct{}{}}}, "", "  ")
	if err != nil {
		return nil, err
	}
	version, err := json.MarshalIndent(map[string]any{"archives": archives}, "", "  ")
	if err != nil {
		return nil, err
	}
	var written []string
	for _, addr := range addresses {
		pdir := filepath.Join(dir, filepath.FromSlash(addr))
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			return nil, err
		}
		for _, name := range d.Archives {
			if err := copyFile(filepath.Join(d.Dir, name), filepath.Join(pdir, name)); err != nil {
				return nil, err
			}
			written = append(written, addr+"/"+name)
		}
		for name, b := range map[string][]byte{"index.json": index, d.Version + ".json": version} {
			if err := os.WriteFile(filepath.Join(pdir, name), append(b, '\n'), 0o644); err != nil {
				return nil, err
			}
			written = append(written, addr+"/"+name)
		}
	}
	sort.Strings(written)
	return written, nil
}

// MirrorCLIConfig is a CLI configuration that installs the given providers
// only from the filesystem mirror at dir: no dev_overrides, and no direct
// installation, so nothing else can satisfy `init`.
func MirrorCLIConfig(dir string, addresses []string) string {
	quoted := make([]string, len(addresses))
	for i, a := range addresses {
		quoted[i] = strconv.Quote(a)
	}
	return fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [%s]\n  }\n}\n",
		dir, strings.Join(quoted, ", "))
}

// LockedProvider is one provider block of .terraform.lock.hcl.
type LockedProvider struct {
	Version     string
	Constraints string
	Hashes      []string
}

var (
	lockProviderRE = regexp.MustCompile(`^provider\s+"([^"]+)"\s*\{$`)
	lockAttrRE     = regexp.MustCompile(`^(version|constraints)\s*=\s*"([^"]*)"$`)
	lockHashRE     = regexp.MustCompile(`^"([a-z0-9]+:[^"]+)",?$`)
)

// ParseLockFile reads the provider blocks of a .terraform.lock.hcl, as
// Terraform and OpenTofu write it, keyed by provider address.
func ParseLockFile(b []byte) (map[string]LockedProvider, error) {
	out := map[string]LockedProvider{}
	var addr string
	var cur LockedProvider
	inHashes := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case addr == "":
			m := lockProviderRE.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: want a provider block, got %q", n, line)
			}
			addr, cur = m[1], LockedProvider{}
		case inHashes && line == "]":
			inHashes = false
		case inHashes:
			m := lockHashRE.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: want a hash, got %q", n, line)
			}
			cur.Hashes = append(cur.Hashes, m[1])
		case line == "}":
			out[addr] = cur
			addr = ""
		case regexp.MustCompile(`^hashes\s*=\s*\[$`).MatchString(line):
			inHashes = true
		default:
			m := lockAttrRE.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("line %d: unexpected %q", n, line)
			}
			if m[1] == "version" {
				cur.Version = m[2]
			} else {
				cur.Constraints = m[2]
			}
		}
	}
	if addr != "" {
		return nil, fmt.Errorf("provider %q: block not closed", addr)
	}
	return out, sc.Err()
}

// Handshake is the line a plugin prints on stdout when it is ready
// (hashicorp/go-plugin): CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL.
type Handshake struct {
	CoreVersion, AppVersion int
	Network, Address        string
	Protocol                string
}

// ParseHandshake parses a go-plugin handshake line.
func ParseHandshake(line string) (Handshake, error) {
	f := strings.Split(strings.TrimSpace(line), "|")
	if len(f) < 5 {
		return Handshake{}, fmt.Errorf("not a plugin handshake (want CORE|APP|NETWORK|ADDRESS|PROTOCOL): %q", line)
	}
	core, err1 := strconv.Atoi(f[0])
	app, err2 := strconv.Atoi(f[1])
	if err := errors.Join(err1, err2); err != nil {
		return Handshake{}, fmt.Errorf("not a plugin handshake: %q: %w", line, err)
	}
	return Handshake{CoreVersion: core, AppVersion: app, Network: f[2], Address: f[3], Protocol: f[4]}, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
