package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// myAdminUser is the TCP superuser of a throwaway MariaDB server.
const myAdminUser = "rotator_admin"

// myTestDB is created at start-up and is the server's DefaultDB.
const myTestDB = "rotator_test"

// StartMariaDBDir starts a MariaDB server (mariadbd, or Debian's mysqld
// alias of it) whose data, socket and log live in dir ("" means a new
// directory under /dev/shm or the system temp dir). The caller must Close
// it, which also removes dir. It listens on 127.0.0.1 only, has a database
// "rotator_test" (DefaultDB) and an admin user "rotator_admin"@"%" with
// every privilege. Errors wrap ErrNotInstalled when the server or
// mariadb-install-db cannot be found. Oracle MySQL's initialisation differs
// and is not supported here; the strategies themselves support it.
func StartMariaDBDir(dir string) (*Server, error) { return StartMariaDBDirWith(dir, Options{}) }

// StartMariaDBDirWith is StartMariaDBDir with options.
func StartMariaDBDirWith(dir string, o Options) (*Server, error) {
	sbin := []string{"/usr/sbin", "/usr/local/mysql/bin", "/usr/bin"}
	server, err := findBinary([]string{"mariadbd", "mysqld"}, sbin...)
	if err != nil {
		return nil, err
	}
	install, err := findBinary([]string{"mariadb-install-db", "mysql_install_db"}, sbin...)
	if err != nil {
		return nil, err
	}
	// MariaDB runs as root when told to with --user=root; no account switch.
	dir, err = makeDir(dir, "rotator-mariadb-", nil)
	if err != nil {
		return nil, fmt.Errorf("testdb: %w", err)
	}
	s := &Server{
		Engine: EngineMariaDB, Host: "127.0.0.1",
		AdminUser: myAdminUser, AdminPassword: randomPassword(),
		DefaultDB: myTestDB, SocketDir: dir, Dir: dir,
		logPath: filepath.Join(dir, "mariadb.log"),
	}
	fail := func(err error) (*Server, error) {
		_ = s.Close()
		return nil, fmt.Errorf("testdb: mariadb: %w", err)
	}
	template, err := templateDir("mariadb", []string{install, server}, nil, func(data string) error {
		args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
			"--innodb-log-file-size=8M", "--innodb-buffer-pool-size=16M"}
		if isRoot() {
			args = append(args, "--user=root")
		}
		return runLogged(nil, install, args...)
	})
	if err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	if err := copyTree(template, data); err != nil {
		return fail(err)
	}
	socket := filepath.Join(dir, "mysqld.sock")
	var extra []string
	if o.TLS {
		cert, key, pemBytes, caPEM, err := writeServerCert(dir, nil, o.CertNames)
		if err != nil {
			return fail(err)
		}
		s.TLS, s.CertPEM, s.CAPEM = true, pemBytes, caPEM
		// The unix socket counts as secure; TCP logins must use TLS.
		extra = append(extra, "--ssl-cert="+cert, "--ssl-key="+key, "--require-secure-transport=ON")
	}

	const attempts = 3 // the free port may be taken before the server binds it
	for i := 0; ; i++ {
		if s.Port, err = freePort(); err != nil {
			return fail(err)
		}
		args := []string{"--no-defaults", "--datadir=" + data,
			"--port=" + strconv.Itoa(s.Port), "--bind-address=127.0.0.1", "--skip-networking=0",
			"--socket=" + socket, "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
			"--skip-name-resolve", "--skip-log-bin",
			"--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M",
			"--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--sync-frm=0",
			"--performance-schema=0", "--max-connections=100",
		}
		if isRoot() {
			args = append(args, "--user=root")
		}
		args = append(args, extra...)
		err = s.launch(nil, func(ctx context.Context) error { return socketPing(ctx, socket) }, server, args...)
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
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := bootstrapMariaDB(ctx, socket, s.AdminPassword); err != nil {
		return fail(err)
	}
	if err := s.Exec(ctx, "mysql", "SELECT 1"); err != nil {
		return fail(fmt.Errorf("admin login over TCP: %w", err))
	}
	return s, nil
}

func isRoot() bool { return os.Geteuid() == 0 }

func socketDB(socket string) (*sql.DB, error) {
	c := mysql.NewConfig()
	c.User, c.Net, c.Addr = "root", "unix", socket
	c.Timeout = 2 * time.Second
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}

func socketPing(ctx context.Context, socket string) error {
	db, err := socketDB(socket)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

// bootstrapMariaDB creates the TCP admin user and the test database, and
// drops anonymous users, which would otherwise shadow "user"@"%" logins.
func bootstrapMariaDB(ctx context.Context, socket, adminPassword string) error {
	db, err := socketDB(socket)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var anon []string
	rows, err := conn.QueryContext(ctx, "SELECT Host FROM mysql.user WHERE User = ''")
	if err != nil {
		return err
	}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		anon = append(anon, h)
	}
	rows.Close()
	stmts := make([]string, 0, len(anon)+4)
	for _, h := range anon {
		stmts = append(stmts, "DROP USER ''@"+sqlString(h))
	}
	stmts = append(stmts,
		"CREATE USER "+sqlString(myAdminUser)+"@'%' IDENTIFIED BY "+sqlString(adminPassword),
		"GRANT ALL PRIVILEGES ON *.* TO "+sqlString(myAdminUser)+"@'%' WITH GRANT OPTION",
		"CREATE DATABASE "+myTestDB,
	)
	for i, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bootstrap statement %d: %w", i+1, err)
		}
	}
	return nil
}

// sqlString quotes a value made by this package (hex passwords, fixed
// names) as a MariaDB string literal.
func sqlString(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(v) + "'"
}
