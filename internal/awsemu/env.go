package awsemu

// env.go holds what every backend shares: the environment, the server
// options, the persistence interface and small helpers (IDs, timestamps)
// that both the core and the services use.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Env is what every backend shares.
type Env struct {
	AccountID, Region string
	// Endpoint returns the emulator's base URL ("http://127.0.0.1:PORT"); it
	// is known after the listener is bound, before any request is served.
	Endpoint func() string
	// Now is the emulator clock (real time plus the offset moved by the
	// admin endpoint /_emu/clock/advance).
	Now func() time.Time
	// WorkDir is a scratch directory (Lambda unpacks function zips here).
	WorkDir string
	// IAMPropagationDelay is how long a new or changed role stays not
	// assumable by Lambda (0 = immediately assumable).
	IAMPropagationDelay func() time.Duration
}

// Options configure Start.
type Options struct {
	Addr      string // default "127.0.0.1:0"; must be a loopback address
	Region    string // default us-east-1
	AccountID string // default 123456789012
	// StateFile, when set, persists the emulator's state as JSON: loaded at
	// start (if the file exists), saved shortly after each mutating call and
	// on Close.
	StateFile string
	// WorkDir is the scratch directory; default a temp dir removed on Close.
	WorkDir             string
	IAMPropagationDelay time.Duration

	// SecretsManager tunes Secrets Manager's asynchronous behaviour (async
	// rotation with retries, background deletion). The zero value is the
	// realistic default; see SecretsManagerOptions.
	SecretsManager SecretsManagerOptions
}

// persistent is implemented by every backend whose state survives a
// restart through Options.StateFile.
type persistent interface {
	snapshot() ([]byte, error)
	restore([]byte) error
}

// closer is implemented by backends that hold resources (processes,
// goroutines) to release when the server closes.
type closer interface {
	close() error
}

// sessionTokenChecker is optionally implemented by the access-key store
// (IAM): it reports whether token is the session token issued with akid.
type sessionTokenChecker interface {
	CheckSessionToken(akid, token string) bool
}

// accessKeyExpiry is optionally implemented by the access-key store: when
// the emulator clock is past the returned time, requests signed with akid
// fail with ExpiredTokenException (ExpiredToken for the query protocol).
type accessKeyExpiry interface {
	AccessKeyExpiration(akid string) (time.Time, bool)
}

// accessKeyStore resolves emulator-issued access keys.
type accessKeyStore interface {
	LookupAccessKey(akid string) (p *Principal, secretKey string, ok bool)
}

// emuRandomHex returns n random bytes hex-encoded (2n characters).
func emuRandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("awsemu: crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// emuUUID returns a random RFC 4122 version 4 UUID.
func emuUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("awsemu: crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// emuRandomFrom returns n random characters from alphabet.
func emuRandomFrom(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("awsemu: crypto/rand: %v", err))
		}
		// Rejection sampling keeps the distribution uniform.
		limit := 256 - 256%len(alphabet)
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out)
}

// epochTime marshals as JSON epoch seconds with millisecond precision, the
// timestamp format of the JSON 1.1 protocol (Secrets Manager, KMS, Logs).
type epochTime time.Time

// MarshalJSON implements json.Marshaler.
func (t epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *epochTime) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = epochTime(time.UnixMilli(int64(f * 1000)).UTC())
	return nil
}

// epochPtr returns nil for the zero time (the field is then omitted).
func epochPtr(t time.Time) *epochTime {
	if t.IsZero() {
		return nil
	}
	e := epochTime(t)
	return &e
}

// emuErr builds an *APIError with HTTP status 400.
func emuErr(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: 400}
}
