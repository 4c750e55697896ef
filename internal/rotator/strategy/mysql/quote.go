package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// quoter renders string literals for one session. MySQL cannot take bind
// parameters in CREATE/ALTER USER ... IDENTIFIED BY, so passwords are
// quoted here, and how depends on the session's NO_BACKSLASH_ESCAPES mode.
// The driver talks utf8mb4, where no multi-byte character ends in a
// backslash byte, so escaping by bytes is safe.
type quoter struct{ noBackslashEscapes bool }

func newQuoter(ctx context.Context, conn *sql.Conn) (quoter, error) {
	var mode string
	if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		return quoter{}, err
	}
	for _, m := range strings.Split(strings.ToUpper(mode), ",") {
		if strings.TrimSpace(m) == "NO_BACKSLASH_ESCAPES" {
			return quoter{noBackslashEscapes: true}, nil
		}
	}
	return quoter{}, nil
}

// literal quotes s: a quote is doubled (valid in every mode) and, unless
// NO_BACKSLASH_ESCAPES is on, a backslash is doubled too. A NUL is refused.
func (q quoter) literal(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errors.New("a value contains a NUL character")
	}
	if !q.noBackslashEscapes {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, `'`, `''`) + "'", nil
}

// ident quotes an identifier or account-name part with backticks, inside
// which no escape sequence exists in any mode: only the backtick is doubled.
func ident(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// account renders user@host.
func account(user, host string) string { return ident(user) + "@" + ident(host) }

// granteeForms lists how SHOW GRANTS may print user@host: backticks
// (MariaDB, MySQL 8) or single quotes (MySQL 5.7), escaped either way.
func granteeForms(user, host string) []string {
	bs := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	dbl := strings.NewReplacer(`'`, `''`)
	return []string{
		account(user, host),
		"'" + bs.Replace(user) + "'@'" + bs.Replace(host) + "'",
		"'" + dbl.Replace(user) + "'@'" + dbl.Replace(host) + "'",
	}
}

// privilegesNotCopied are dynamic privileges a managed master cannot grant
// (RDS for MySQL 8 withholds XA_RECOVER_ADMIN's grant option); copying
// them would fail every rotation, as AWS's template notes.
var privilegesNotCopied = []string{"XA_RECOVER_ADMIN"}

// rewriteGrant turns one line of SHOW GRANTS FOR from@host into the same
// grant for to (an already quoted account). ok is false for lines that
// need no copy: the USAGE line (CREATE USER gave it; on MariaDB it also
// carries the password hash, which must not be copied). The grantee is the
// last " TO <account>" of the line; the rest of the line was quoted by the
// server. Options after the grantee are dropped except WITH GRANT OPTION
// and WITH ADMIN OPTION.
func rewriteGrant(line, from, host, to string) (stmt string, ok bool, err error) {
	kw := " TO "
	switch {
	case strings.HasPrefix(line, "GRANT USAGE ON *.* TO "):
		return "", false, nil
	case strings.HasPrefix(line, "SET DEFAULT ROLE "):
		kw = " FOR "
	case strings.HasPrefix(line, "GRANT "):
	default:
		return "", false, errors.New("SHOW GRANTS returned a line that is neither GRANT nor SET DEFAULT ROLE")
	}
	at, n := -1, 0
	for _, g := range granteeForms(from, host) {
		if i := strings.LastIndex(line, kw+g); i > at {
			at, n = i, len(kw+g)
		}
	}
	if at < 0 {
		return "", false, errors.New("the grantee was not found in a SHOW GRANTS line")
	}
	prefix, suffix := line[:at], line[at+n:]
	for _, p := range privilegesNotCopied {
		prefix = strings.Replace(prefix, p+",", "", 1)
		prefix = strings.Replace(prefix, ","+p+" ", " ", 1)
		if strings.HasPrefix(prefix, "GRANT "+p+" ON ") {
			return "", false, nil
		}
	}
	stmt = prefix + kw + to
	for _, opt := range []string{" WITH GRANT OPTION", " WITH ADMIN OPTION"} {
		if strings.Contains(suffix, opt) {
			stmt += opt
		}
	}
	return stmt, true, nil
}

// revokeFor returns the statements that undo g, a statement rewriteGrant
// produced for acct: REVOKE of the same privileges (and their grant
// option) on the same object, REVOKE of a role, or SET DEFAULT ROLE NONE.
func revokeFor(g, acct string) []string {
	if strings.HasPrefix(g, "SET DEFAULT ROLE ") {
		return []string{"SET DEFAULT ROLE NONE FOR " + acct}
	}
	core, withGrant := g, false
	for _, opt := range []string{" WITH GRANT OPTION", " WITH ADMIN OPTION"} {
		if c, ok := strings.CutSuffix(core, opt); ok {
			core, withGrant = c, opt == " WITH GRANT OPTION"
		}
	}
	body := strings.TrimSuffix(strings.TrimPrefix(core, "GRANT "), " TO "+acct)
	i := indexUnquoted(body, " ON ")
	if i < 0 {
		return []string{"REVOKE " + body + " FROM " + acct}
	}
	privs, obj := body[:i], body[i+len(" ON "):]
	out := []string{"REVOKE " + privs + " ON " + obj + " FROM " + acct}
	if withGrant {
		out = append(out, "REVOKE GRANT OPTION ON "+obj+" FROM "+acct)
	}
	return out
}

// indexUnquoted is strings.Index outside `…`, '…' and "…".
func indexUnquoted(s, sub string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '`' || c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(s[i:], sub):
			return i
		}
	}
	return -1
}
