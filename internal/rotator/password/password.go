// Package password generates and checks passwords for a
// config.PasswordPolicy, the options and defaults of Secrets Manager's
// GetRandomPassword, locally with crypto/rand so that no API call is needed.
//
// Every character is drawn by rejection sampling, so there is no modulo
// bias. With RequireEachIncludedType one character of each included class
// is drawn from that class, the rest from the whole alphabet, and the result
// is shuffled with an unbiased Fisher–Yates shuffle so that the guaranteed
// characters sit at random positions.
//
// Neither the generator nor the checker ever puts a password, or any of its
// characters, in an error message.
package password

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// ErrRandomness wraps a failure to read from the random source.
var ErrRandomness = errors.New("reading random bytes")

// Generate returns a password for p drawn from crypto/rand.
func Generate(p config.PasswordPolicy) (string, error) {
	return GenerateFrom(rand.Reader, p)
}

// GenerateFrom returns a password for p drawn from r. An impossible policy
// (see config.PasswordPolicy.Validate) is an error, as is a short read.
func GenerateFrom(r io.Reader, p config.PasswordPolicy) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("invalid password policy: %w", err)
	}
	classes := p.Classes()
	alphabet := strings.Join(classes, "")
	src := &source{r: bufio.NewReaderSize(r, 512)}

	out := make([]byte, 0, p.Length)
	if p.RequireEachIncludedType {
		for _, cl := range classes {
			i, err := src.intn(len(cl))
			if err != nil {
				return "", err
			}
			out = append(out, cl[i])
		}
	}
	for len(out) < p.Length {
		i, err := src.intn(len(alphabet))
		if err != nil {
			return "", err
		}
		out = append(out, alphabet[i])
	}
	if p.RequireEachIncludedType {
		// Fisher–Yates: for i from the end, swap with a uniform j in [0, i].
		for i := len(out) - 1; i > 0; i-- {
			j, err := src.intn(i + 1)
			if err != nil {
				return "", err
			}
			out[i], out[j] = out[j], out[i]
		}
	}
	return string(out), nil
}

// Check reports whether pw satisfies p: its length, that every character
// belongs to an included class and is not excluded, and, with
// RequireEachIncludedType, that each included class appears. The error
// never contains pw or any of its characters.
func Check(p config.PasswordPolicy, pw string) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("invalid password policy: %w", err)
	}
	if !utf8.ValidString(pw) {
		return errors.New("the password is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(pw); n != p.Length {
		return fmt.Errorf("the password has %d characters, the policy requires %d", n, p.Length)
	}
	classes := p.Classes()
	seen := make([]bool, len(classes))
	bad := 0
	for _, r := range pw {
		found := false
		for i, cl := range classes {
			if strings.ContainsRune(cl, r) {
				seen[i], found = true, true
				break
			}
		}
		if !found {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("the password has %d characters that the policy excludes", bad)
	}
	if p.RequireEachIncludedType {
		missing := 0
		for _, s := range seen {
			if !s {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("the password lacks %d of the %d character types the policy requires", missing, len(classes))
		}
	}
	return nil
}

// source draws uniform integers from a byte stream by rejection sampling.
type source struct {
	r   io.Reader
	buf [2]byte
}

// intn returns a uniform integer in [0, n) for 0 < n <= 65536. Values of
// the raw draw at or above the largest multiple of n are rejected and
// redrawn, which removes the modulo bias.
func (s *source) intn(n int) (int, error) {
	if n <= 0 || n > 1<<16 {
		return 0, fmt.Errorf("intn: n=%d out of range", n)
	}
	width, space := 1, 1<<8
	if n > 1<<8 {
		width, space = 2, 1<<16
	}
	limit := space - space%n
	for {
		if _, err := io.ReadFull(s.r, s.buf[:width]); err != nil {
			return 0, fmt.Errorf("%w: %w", ErrRandomness, err)
		}
		v := int(s.buf[0])
		if width == 2 {
			v = v<<8 | int(s.buf[1])
		}
		if v < limit {
			return v % n, nil
		}
	}
}
