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
// live in dir ("" means a new directory under /dev/shm or the system temp
// dir). The caller must Close it, which also removes dir. Errors wrap
// ErrNotInstalled when initdb or postgres cannot be found.
//
// When this process is root, the server runs as the "postgres" (or
// "nobody") account, and dir's parents must be traversable by it (the
// default directory always is).
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
	// TCP logins need a password, so the tests can prove an old password
	// stops working; the unix socket (in a 0700 directory) trusts, so each
	// server gets its own fresh admin password after start.
	template, err := templateDir("postgres", []string{initdb, postgres}, as, func(data string) error {
		return runLogged(as, initdb, "-D", data, "-U", pgAdminUser,
			"--auth-host=scram-sha-256", "--auth-local=trust",
			"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions", "--wal-segsize=1")
	})
	if err != nil {
		return nil, fmt.Errorf("testdb: postgres: initdb: %w", err)
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
	data := filepath.Join(dir, "data")
	if err := copyTree(template, data); err != nil {
		return fail(err)
	}
	var extra []string
	if o.TLS {
		cert, key, pemBytes, caPEM, err := writeServerCert(dir, as, o.CertNames)
		if err != nil {
			return fail(err)
		}
		s.TLS, s.CertPEM, s.CAPEM = true, pemBytes, caPEM
		// Encrypted TCP logins only.
		hba := "local all all trust\n" +
			"hostssl all all 127.0.0.1/32 scram-sha-256\n" +
			"hostnossl all all 127.0.0.1/32 reject\n"
		hbaPath := filepath.Join(data, "pg_hba.conf")
		if err := os.WriteFile(hbaPath, []byte(hba), 0o600); err != nil {
			return fail(err)
		}
		if as != nil {
			if err := os.Chown(hbaPath, as.uid, as.gid); err != nil {
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
		args := append([]string{"-D", data,
			"-p", strconv.Itoa(s.Port),
			"-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories=" + dir,
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "shared_buffers=16MB", "-c", "max_connections=100",
			"-c", "password_encryption=scram-sha-256",
		}, extra...)
		err = s.launch(as, s.pgSocketReady, postgres, args...)
		if err == nil {
			break
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
	if err := s.pgSetAdminPassword(); err != nil {
		return fail(err)
	}
	return s, nil
}

// pgSocketConfig connects as the admin through the unix socket.
func (s *Server) pgSocketConfig() (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig("dbname=postgres sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port, cfg.User, cfg.Password = s.SocketDir, uint16(s.Port), pgAdminUser, ""
	return cfg, nil
}

func (s *Server) pgSocketReady(ctx context.Context) error {
	cfg, err := s.pgSocketConfig()
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// pgSetAdminPassword gives the admin this server's password, then checks
// the admin logs in over TCP with it.
func (s *Server) pgSetAdminPassword() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cfg, err := s.pgSocketConfig()
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The password is hex, so it needs no escaping.
	if _, err := conn.Exec(ctx, "ALTER ROLE "+pgAdminUser+" PASSWORD '"+s.AdminPassword+"'"); err != nil {
		return fmt.Errorf("setting the admin password: %w", err)
	}
	tcp, err := pgx.Connect(ctx, s.AdminDSN(""))
	if err != nil {
		return fmt.Errorf("admin login over TCP: %w", err)
	}
	return tcp.Close(ctx)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and ints reach here
	}
	return string(b)
}
