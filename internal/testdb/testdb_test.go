package testdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	CloseShared()
	os.Exit(code)
}

// TestServers: each server accepts the admin over TCP, runs DDL, and with
// Options.TLS refuses a plain-text login.
func TestServers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start func(testing.TB, Options) *Server
		tls   bool
	}{
		{"postgres", StartPostgresWith, false},
		{"postgres TLS", StartPostgresWith, true},
		{"mariadb", StartMariaDBWith, false},
		{"mariadb TLS", StartMariaDBWith, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.start(t, Options{TLS: tc.tls})
			ctx := context.Background()
			if err := s.Exec(ctx, "", "CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			if s.Host != "127.0.0.1" || s.Port == 0 {
				t.Errorf("server address %s:%d, want loopback and a port", s.Host, s.Port)
			}
			if s.TLS != tc.tls || (tc.tls && len(s.CertPEM) == 0) {
				t.Errorf("TLS = %v with %d certificate bytes, want %v", s.TLS, len(s.CertPEM), tc.tls)
			}
			if tc.tls {
				plain := &Server{Engine: s.Engine, Host: s.Host, Port: s.Port, AdminUser: s.AdminUser, AdminPassword: s.AdminPassword, DefaultDB: s.DefaultDB}
				if err := plain.Exec(ctx, "", "SELECT 1"); err == nil {
					t.Error("a plain-text login worked on a TLS-only server")
				}
			}
		})
	}
}

// TestCloseRemovesEverything: Close stops the server and removes its
// directory; a second Close is harmless.
func TestCloseRemovesEverything(t *testing.T) {
	t.Parallel()
	s := StartPostgres(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory still there after Close: %v", err)
	}
	if c, err := net.Dial("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port))); err == nil {
		c.Close()
		t.Error("the port still accepts connections after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// fakeTB records Skip and Fatal calls; both end the calling goroutine as
// the real ones do.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper()        {}
func (f *fakeTB) Cleanup(func()) {}
func (f *fakeTB) Fatal(a ...any) { f.failed = fmt.Sprint(a...); runtime.Goexit() }
func (f *fakeTB) Skipf(s string, a ...any) {
	f.skipped = fmt.Sprintf(s, a...)
	runtime.Goexit()
}
func (f *fakeTB) Fatalf(s string, a ...any) {
	f.failed = fmt.Sprintf(s, a...)
	runtime.Goexit()
}

// TestMissingServer: a missing binary skips the test and names the Debian
// package, except under CI=true where it fails the test.
func TestMissingServer(t *testing.T) {
	// Not parallel: it sets CI.
	_, err := findBinary([]string{"no-such-database-server"}, "/nonexistent/*/bin")
	if !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("findBinary error = %v, want ErrNotInstalled", err)
	}
	for _, tc := range []struct {
		ci       string
		wantSkip bool
	}{{"", true}, {"false", true}, {"true", false}} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := &fakeTB{}
			done := make(chan struct{})
			go func() {
				defer close(done)
				forTest(f, nil, err, PackageMariaDB)
			}()
			<-done
			got := f.skipped
			if !tc.wantSkip {
				got = f.failed
				if f.skipped != "" {
					t.Fatalf("skipped under CI=true: %s", f.skipped)
				}
			}
			if !strings.Contains(got, PackageMariaDB) {
				t.Errorf("message %q does not name the package %q (skipped=%q failed=%q)", got, PackageMariaDB, f.skipped, f.failed)
			}
		})
	}
}
