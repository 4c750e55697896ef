// Package testdb starts throwaway PostgreSQL and MariaDB servers for tests
// and demos: a fresh data directory (under /dev/shm when roomy, else the
// system temp dir) copied from a cached pristine template, loopback only,
// a random admin password, settings tuned for speed, not durability.
//
// The servers come from the Debian packages "postgresql" and
// "mariadb-server". When a binary is missing, the testing.TB helpers skip
// the test, except under CI=true where they fail it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Engines, as the "engine" key of AWS's database secrets spells them.
const (
	EnginePostgres = "postgres"
	EngineMariaDB  = "mariadb"
)

// Debian packages that provide the servers, named in skip and error messages.
const (
	PackagePostgres = "postgresql"
	PackageMariaDB  = "mariadb-server"
)

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 60 * time.Second

// stopTimeout bounds a graceful shutdown before the process is killed.
const stopTimeout = 15 * time.Second

// ErrNotInstalled is wrapped by the Start…Dir functions when a server
// binary cannot be found.
var ErrNotInstalled = errors.New("database server binary not found")

// Server is one running throwaway database server.
type Server struct {
	Engine        string // EnginePostgres or EngineMariaDB
	Host          string // always "127.0.0.1"
	Port          int
	AdminUser     string // a superuser that logs in over TCP with AdminPassword
	AdminPassword string
	// DefaultDB is a database that always exists ("postgres" or "mysql").
	DefaultDB string
	// SocketDir holds the server's unix socket.
	SocketDir string
	// Dir is the temp directory holding data, socket and log; removed on Close.
	Dir string
	// TLS is true when the server was started with Options.TLS: it then
	// accepts encrypted TCP logins only. CertPEM is its certificate, CAPEM
	// the throwaway CA that signed it (for 127.0.0.1 and localhost).
	TLS     bool
	CertPEM []byte
	CAPEM   []byte

	cmd       *exec.Cmd
	logPath   string
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// AdminDSN returns a connection string for the admin user and database db
// ("" means DefaultDB): a postgres:// URL for PostgreSQL, a
// go-sql-driver/mysql DSN for MariaDB.
func (s *Server) AdminDSN(db string) string {
	if db == "" {
		db = s.DefaultDB
	}
	if s.Engine == EnginePostgres {
		u := url.URL{
			Scheme:   "postgres",
			User:     url.UserPassword(s.AdminUser, s.AdminPassword),
			Host:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
			Path:     "/" + db,
			RawQuery: "sslmode=disable&connect_timeout=5",
		}
		if s.TLS {
			u.RawQuery = "sslmode=require&connect_timeout=5"
		}
		return u.String()
	}
	c := mysql.NewConfig()
	c.User, c.Passwd = s.AdminUser, s.AdminPassword
	c.Net, c.Addr, c.DBName = "tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), db
	c.Timeout = 5 * time.Second
	if s.TLS {
		c.TLSConfig = "skip-verify"
	}
	return c.FormatDSN()
}

// SecretJSON returns a database secret in the format of AWS's rotation
// templates for this server: engine, host, port, username, password,
// dbname, plus masterarn when it is not "", and "ssl": true for a TLS
// server ("ssl": false otherwise: without the key, clients of this project
// require verified TLS).
func (s *Server) SecretJSON(username, password, dbname, masterARN string) string {
	m := map[string]any{
		"engine": s.Engine, "host": s.Host, "port": s.Port,
		"username": username, "password": password, "dbname": dbname,
	}
	m["ssl"] = s.TLS
	if masterARN != "" {
		m["masterarn"] = masterARN
	}
	return mustJSON(m)
}

// Exec runs each statement in order as the admin user in database db
// ("" means DefaultDB), stopping at the first error.
func (s *Server) Exec(ctx context.Context, db string, stmts ...string) error {
	if s.Engine == EnginePostgres {
		conn, err := pgx.Connect(ctx, s.AdminDSN(db))
		if err != nil {
			return fmt.Errorf("testdb: connecting as admin: %w", err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		for i, q := range stmts {
			if _, err := conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("testdb: statement %d: %w", i+1, err)
			}
		}
		return nil
	}
	dbh, err := sql.Open("mysql", s.AdminDSN(db))
	if err != nil {
		return fmt.Errorf("testdb: %w", err)
	}
	defer dbh.Close()
	conn, err := dbh.Conn(ctx)
	if err != nil {
		return fmt.Errorf("testdb: connecting as admin: %w", err)
	}
	defer conn.Close()
	for i, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("testdb: statement %d: %w", i+1, err)
		}
	}
	return nil
}

// MustExec is Exec that fails the test on error.
func (s *Server) MustExec(t testing.TB, db string, stmts ...string) {
	t.Helper()
	if err := s.Exec(context.Background(), db, stmts...); err != nil {
		t.Fatal(err)
	}
}

// Stop is Close for tests; an error is reported to stderr, not returned.
func (s *Server) Stop() {
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
	}
}

// Close stops the server (fast shutdown, then kill after a timeout) and
// removes its directory. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			// SIGINT is PostgreSQL's "fast" shutdown (no waiting for
			// clients); SIGTERM is MariaDB's normal shutdown.
			sig := syscall.SIGTERM
			if s.Engine == EnginePostgres {
				sig = syscall.SIGINT
			}
			_ = s.cmd.Process.Signal(sig)
			select {
			case <-s.done:
			case <-time.After(stopTimeout):
				_ = s.cmd.Process.Kill()
				<-s.done
				s.closeErr = errors.New("server did not stop in time and was killed")
			}
		}
		if s.Dir != "" {
			if err := os.RemoveAll(s.Dir); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// Log returns the server's log so far, for failure messages.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// StartPostgres starts a PostgreSQL server for the test and stops it in
// t.Cleanup. A missing server skips the test, or fails it under CI=true.
func StartPostgres(t testing.TB) *Server {
	t.Helper()
	return StartPostgresWith(t, Options{})
}

// StartPostgresWith is StartPostgres with options.
func StartPostgresWith(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := StartPostgresDirWith("", o)
	return forTest(t, s, err, PackagePostgres)
}

// StartMariaDB starts a MariaDB (or MySQL) server for the test and stops
// it in t.Cleanup. A missing server skips the test, or fails it under
// CI=true.
func StartMariaDB(t testing.TB) *Server {
	t.Helper()
	return StartMariaDBWith(t, Options{})
}

// StartMariaDBWith is StartMariaDB with options.
func StartMariaDBWith(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := StartMariaDBDirWith("", o)
	return forTest(t, s, err, PackageMariaDB)
}

func forTest(t testing.TB, s *Server, err error, pkg string) *Server {
	t.Helper()
	if errors.Is(err, ErrNotInstalled) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true, so this is a failure: install the Debian package %q)", err, pkg)
		}
		t.Skipf("%v: install the Debian package %q to run this test", err, pkg)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

var (
	sharedMu sync.Mutex
	shared   = map[string]*sharedServer{}
)

type sharedServer struct {
	once sync.Once
	s    *Server
	err  error
}

// SharedPostgres returns a PostgreSQL server shared by every test of the
// package, started on first use. Call CloseShared from TestMain after
// m.Run. Tests must not depend on each other's users or databases: create
// uniquely named ones.
func SharedPostgres(t testing.TB) *Server {
	t.Helper()
	return sharedFor(t, EnginePostgres, PackagePostgres, StartPostgresDir)
}

// SharedMariaDB is SharedPostgres for MariaDB.
func SharedMariaDB(t testing.TB) *Server {
	t.Helper()
	return sharedFor(t, EngineMariaDB, PackageMariaDB, StartMariaDBDir)
}

func sharedFor(t testing.TB, engine, pkg string, start func(string) (*Server, error)) *Server {
	t.Helper()
	sharedMu.Lock()
	ss := shared[engine]
	if ss == nil {
		ss = &sharedServer{}
		shared[engine] = ss
	}
	sharedMu.Unlock()
	ss.once.Do(func() { ss.s, ss.err = start("") })
	if ss.err != nil {
		forTest(t, nil, ss.err, pkg) // skips or fails
	}
	return ss.s
}

// CloseShared stops the servers SharedPostgres and SharedMariaDB started.
func CloseShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for k, ss := range shared {
		if ss.s != nil {
			ss.s.Stop()
		}
		delete(shared, k)
	}
}

// runAs is the unprivileged account servers run as when this process is
// root: PostgreSQL refuses to run as root.
type runAs struct {
	cred *syscall.Credential
	uid  int
	gid  int
}

func unprivileged(names ...string) (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, n := range names {
		u, err := user.Lookup(n)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return &runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, uid: uid, gid: gid}, nil
	}
	return nil, fmt.Errorf("running as root and none of the users %v exists to run the server as", names)
}

// minShmFree is the free space /dev/shm must have for servers to live
// there instead of the system temp dir.
const minShmFree = 1 << 30

// scratchRoot is where server directories go: /dev/shm when it is a roomy
// tmpfs (no disk I/O; durability is off anyway), else the system temp dir.
// Both are world-traversable.
func scratchRoot() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && st.Bavail*uint64(st.Bsize) >= minShmFree {
		if probe, err := os.MkdirTemp("/dev/shm", "rotator-probe-"); err == nil {
			_ = os.Remove(probe)
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// makeDir creates the server's directory. With dir == "" it is a new
// directory under scratchRoot; otherwise dir itself (created if
// missing). The directory is 0700 and owned by the account the server runs
// as. scratchRoot is world-traversable, unlike t.TempDir()'s
// parents, so an unprivileged server can reach it.
func makeDir(dir, prefix string, as *runAs) (string, error) {
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp(scratchRoot(), prefix)
	} else {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return "", err
	}
	if as != nil {
		if err := os.Chown(dir, as.uid, as.gid); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func sysProc(as *runAs) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{
		// Kill the server when the test process dies without cleaning up.
		Pdeathsig: syscall.SIGKILL,
		Setpgid:   true,
	}
	if as != nil {
		a.Credential = as.cred
	}
	return a
}

// findBinary looks for the first of names in PATH, then in the extra
// directories (newest PostgreSQL version first).
func findBinary(names []string, globs ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	for _, g := range globs {
		matches, _ := filepath.Glob(g)
		sort.Sort(sort.Reverse(sort.StringSlice(matches)))
		for _, m := range matches {
			for _, n := range names {
				p := filepath.Join(m, n)
				if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
					return p, nil
				}
			}
		}
	}
	return "", fmt.Errorf("%w: none of %v in PATH or %v", ErrNotInstalled, names, globs)
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server binds it; the Start functions retry.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// runLogged runs a setup command, returning its output in the error.
func runLogged(as *runAs, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = sysProc(as)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s failed: %w\n%s", filepath.Base(name), err, out)
	}
	return nil
}

// launch starts the server process with its output in logPath, then waits
// until ready returns nil.
func (s *Server) launch(as *runAs, ready func(context.Context) error, name string, args ...string) error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = sysProc(as)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", filepath.Base(name), err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	var lastErr error
	for {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited during start-up (last connection error: %v); log:\n%s", filepath.Base(name), lastErr, s.Log())
		case <-ctx.Done():
			return fmt.Errorf("%s did not accept connections within %s (last error: %v); log:\n%s", filepath.Base(name), startTimeout, lastErr, s.Log())
		case <-time.After(100 * time.Millisecond):
		}
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		lastErr = ready(cctx)
		ccancel()
		if lastErr == nil {
			return nil
		}
	}
}

// portInUse reports whether a failed start looks like a lost race for the
// port, worth a retry on another one.
func portInUse(s *Server) bool {
	l := strings.ToLower(s.Log())
	return strings.Contains(l, "address already in use") || strings.Contains(l, "could not create any tcp/ip sockets")
}
