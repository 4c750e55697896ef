package postgres

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// scramIterations is PostgreSQL's default scram_iterations.
const scramIterations = 4096

// scramSaltLen is the salt length PostgreSQL itself uses.
const scramSaltLen = 16

// quoteLiteral renders s as an escape-string literal (E'...'), which the
// server reads the same way whatever standard_conforming_strings says: both
// the quote and the backslash are doubled. PostgreSQL text cannot hold NUL,
// so a NUL is an error rather than a silent truncation.
func quoteLiteral(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errors.New("a value contains a NUL character")
	}
	return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'", nil
}

// alterPassword returns the statement that sets user's password. ALTER
// ROLE takes no bind parameters, so the identifier is quoted by pgx and the
// password is either a SCRAM verifier computed here (PostgreSQL 10 and
// later, printable-ASCII passwords) or a safely quoted literal.
func alterPassword(conn *pgx.Conn, user, password string) (string, error) {
	value := password
	if serverMajor(conn.PgConn().ParameterStatus("server_version")) >= 10 {
		if v, ok := scramVerifier(password); ok {
			value = v
		}
	}
	lit, err := quoteLiteral(value)
	if err != nil {
		return "", err
	}
	return "ALTER ROLE " + pgx.Identifier{user}.Sanitize() + " PASSWORD " + lit, nil
}

// serverMajor parses the major version of a server_version string such as
// "15.8 (Debian 15.8-0+deb12u1)"; 0 when unknown.
func serverMajor(v string) int {
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(v[:end])
	return n
}

// scramVerifier computes the SCRAM-SHA-256 verifier PostgreSQL stores
// (RFC 5802/7677; format SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>).
// The server normalises passwords with SASLprep, the identity for printable
// ASCII; any other password returns ok=false and is sent as a literal for
// the server to normalise.
func scramVerifier(password string) (string, bool) {
	for i := 0; i < len(password); i++ {
		if password[i] < 0x20 || password[i] > 0x7e {
			return "", false
		}
	}
	salt := make([]byte, scramSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", false
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return "", false
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return "SCRAM-SHA-256$" + strconv.Itoa(scramIterations) + ":" + b64(salt) + "$" + b64(storedKey[:]) + ":" + b64(serverKey), true
}
