package testdb

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// pgAdminUser is the bootstrap superuser of a throwaway PostgreSQL cluster.
const pgAdminUser = "rotator_admin"

// StartPostgresDir starts a PostgreSQL server whose data, socket and log
// live in dir ("" means a new directory under the system temp dir). The
// caller must Close it. When this process is root, the server runs as the
// "postgres" (or "nobody") account. Errors wrap ErrNotInstalled when
// initdb or postgres cannot be found.
//
// When this process is root, dir's parents must be traversable by that
// account (the system temp dir always is).
func StartPostgresDir(dir string) (*Server, error) { return StartPostgresDirWith(dir, Options{}) }

// StartPostgresDirWith is StartPostgresDir with options.
func StartPostgresDirWith(dir string, o Options) (*Server, error) {
	pgBin := []string{"/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"}
	initdb, err := findBinary([]string{"initdb"}, pgBin...)
	if err != nil {
		return nil, err
	}
	postgres, err := findBinary([]string{"postgres"}, filepath.Dir(initdb))
	if err != nil {
		return nil, err
	}
	as, err := unprivileged("postgres", "nobody")
	if err != nil {
		return nil, err
	}
	dir, err = makeDir(dir, "rotator-pg-", as)
	if err != nil {
		return nil, fmt.Errorf("testdb: %w", err)
	}
	s := &Server{
		Engine: EnginePostgres, Host: "127.0.0.1",
		AdminUser: pgAdminUser, AdminPassword: randomPassword(),
		DefaultDB: "postgres", SocketDir: dir, Dir: dir,
		logPath: filepath.Join(dir, "postgres.log"),
	}
	fail := func(err error) (*Server, error) {
		_ = s.Close()
		return nil, fmt.Errorf("testdb: postgres: %w", err)
	}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.AdminPassword+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if as != nil {
		if err := os.Chown(pwfile, as.uid, as.gid); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(dir, "data")
	// Password authentication everywhere: the tests prove that an old
	// password stops working, which "trust" would hide.
	if err := runLogged(as, initdb, "-D", data, "-U", pgAdminUser, "--pwfile="+pwfile,
		"--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"); err != nil {
		return fail(err)
	}
	_ = os.Remove(pwfile)
	var extra []string
	if o.TLS {
		cert, key, pemBytes, err := writeSelfSigned(dir, as)
		if err != nil {
			return fail(err)
		}
		s.TLS, s.CertPEM = true, pemBytes
		// Encrypted TCP logins only; the unix socket stays open.
		hba := "local all all scram-sha-256\n" +
			"hostssl all all 127.0.0.1/32 scram-sha-256\n" +
			"hostnossl all all 127.0.0.1/32 reject\n"
		if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
			return fail(err)
		}
		if as != nil {
			if err := os.Chown(filepath.Join(data, "pg_hba.conf"), as.uid, as.gid); err != nil {
				return fail(err)
			}
		}
		extra = append(extra, "-c", "ssl=on", "-c", "ssl_cert_file="+cert, "-c", "ssl_key_file="+key)
	}

	const attempts = 3 // the free port may be taken before postgres binds it
	for i := 0; ; i++ {
		if s.Port, err = freePort(); err != nil {
			return fail(err)
		}
		err = s.launch(as, s.pgReady, postgres, append([]string{"-D", data,
			"-p", strconv.Itoa(s.Port),
			"-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories=" + dir,
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "shared_buffers=16MB", "-c", "max_connections=100",
			"-c", "password_encryption=scram-sha-256",
		}, extra...)...)
		if err == nil {
			return s, nil
		}
		if i+1 >= attempts || !portInUse(s) {
			return fail(err)
		}
		if s.cmd != nil && s.cmd.Process != nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		s.cmd = nil
	}
}

func (s *Server) pgReady(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.AdminDSN(""))
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and ints reach here
	}
	return string(b)
}
