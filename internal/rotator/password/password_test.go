package password_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
)

// seeded returns a deterministic, endless random stream, so statistical
// tests never flake.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// allowedSet is the characters p allows, computed independently of the
// package under test from the documented classes.
func allowedSet(p config.PasswordPolicy) map[rune]bool {
	set := map[rune]bool{}
	add := func(skip bool, chars string) {
		if skip {
			return
		}
		for _, r := range chars {
			if !strings.ContainsRune(p.ExcludeCharacters, r) {
				set[r] = true
			}
		}
	}
	add(p.ExcludeLowercase, config.Lowercase)
	add(p.ExcludeUppercase, config.Uppercase)
	add(p.ExcludeNumbers, config.Numbers)
	add(p.ExcludePunctuation, config.Punctuation)
	add(!p.IncludeSpace, " ")
	return set
}

var policies = map[string]config.PasswordPolicy{
	"default":                 config.DefaultPasswordPolicy(),
	"length 1 one class":      {Length: 1, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, RequireEachIncludedType: true},
	"length 4 four classes":   {Length: 4, RequireEachIncludedType: true},
	"length 5 with space":     {Length: 5, IncludeSpace: true, RequireEachIncludedType: true},
	"no punctuation":          {Length: 20, ExcludePunctuation: true, RequireEachIncludedType: true},
	"numbers only":            {Length: 12, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true},
	"exclude chars":           {Length: 64, ExcludeCharacters: "\"'\\/@ `{}", RequireEachIncludedType: true},
	"punct almost all gone":   {Length: 8, ExcludeCharacters: strings.ReplaceAll(config.Punctuation, "#", ""), RequireEachIncludedType: true},
	"class fully excluded":    {Length: 8, ExcludeCharacters: config.Numbers, RequireEachIncludedType: true},
	"no require":              {Length: 16},
	"space only":              {Length: 3, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, IncludeSpace: true},
	"max length":              {Length: config.MaxPasswordLength, RequireEachIncludedType: true},
	"long no require":         {Length: 1000, IncludeSpace: true},
	"upper only excl":         {Length: 30, ExcludeLowercase: true, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeCharacters: "AEIOU", RequireEachIncludedType: true},
	"space excluded by chars": {Length: 10, IncludeSpace: true, ExcludeCharacters: " ", RequireEachIncludedType: true},
}

// TestPolicyAlwaysHolds generates many passwords per policy and checks
// each one independently of password.Check as well as with it.
func TestPolicyAlwaysHolds(t *testing.T) {
	t.Parallel()
	for name, p := range policies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			allowed := allowedSet(p)
			rng := seeded(1)
			n := 300
			if p.Length > 500 {
				n = 10
			}
			for i := range n {
				pw, err := password.GenerateFrom(rng, p)
				if err != nil {
					t.Fatalf("GenerateFrom: %v", err)
				}
				if got := len([]rune(pw)); got != p.Length {
					t.Fatalf("password %d has length %d, want %d", i, got, p.Length)
				}
				for _, r := range pw {
					if !allowed[r] {
						t.Fatalf("password %d has disallowed character %q", i, r)
					}
				}
				if p.RequireEachIncludedType {
					for _, cl := range p.Classes() {
						if !strings.ContainsAny(pw, cl) {
							t.Fatalf("password %d lacks a character of class %q", i, cl)
						}
					}
				}
				if err := password.Check(p, pw); err != nil {
					t.Fatalf("Check of a generated password: %v", err)
				}
			}
		})
	}
}

func TestGenerateUsesCryptoRand(t *testing.T) {
	t.Parallel()
	p := config.DefaultPasswordPolicy()
	a, err := password.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := password.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two generated passwords are equal")
	}
	if err := password.Check(p, a); err != nil {
		t.Fatal(err)
	}
}

func TestImpossiblePolicyIsAnError(t *testing.T) {
	t.Parallel()
	cases := map[string]config.PasswordPolicy{
		"zero length":          {Length: 0},
		"too long":             {Length: config.MaxPasswordLength + 1},
		"every class excluded": {Length: 10, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true},
		"all chars excluded":   {Length: 10, ExcludeCharacters: config.Lowercase + config.Uppercase + config.Numbers + config.Punctuation},
		"shorter than classes": {Length: 3, RequireEachIncludedType: true},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pw, err := password.GenerateFrom(seeded(2), p)
			if err == nil {
				t.Fatalf("GenerateFrom returned no error (len %d)", len(pw))
			}
			if pw != "" {
				t.Fatal("a password came back with an error")
			}
		})
	}
}

func TestShortRandomSourceIsAnError(t *testing.T) {
	t.Parallel()
	_, err := password.GenerateFrom(bytes.NewReader([]byte{1, 2, 3}), config.DefaultPasswordPolicy())
	if !errors.Is(err, password.ErrRandomness) {
		t.Fatalf("got %v, want ErrRandomness", err)
	}
}

// TestEveryAllowedCharacterReachable draws many characters and checks
// that every allowed character appears, no excluded one does, and the
// counts fit a uniform distribution (a chi-squared test with a fixed seed,
// so it is deterministic; modulo bias would fail it by a wide margin).
func TestEveryAllowedCharacterReachable(t *testing.T) {
	t.Parallel()
	cases := map[string]config.PasswordPolicy{
		"all classes with space": {Length: 256, IncludeSpace: true},
		"exclusions":             {Length: 256, ExcludeCharacters: "aeiouAEIOU01!@", ExcludeNumbers: false},
		"94 chars required":      {Length: 256, RequireEachIncludedType: true},
		"numbers only":           {Length: 256, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			allowed := allowedSet(p)
			counts := map[rune]int{}
			total := 0
			rng := seeded(3)
			for range 400 {
				pw, err := password.GenerateFrom(rng, p)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range pw {
					counts[r]++
					total++
				}
			}
			for r := range allowed {
				if counts[r] == 0 {
					t.Errorf("allowed character %q never generated", r)
				}
			}
			for r := range counts {
				if !allowed[r] {
					t.Errorf("excluded character %q generated", r)
				}
			}
			if p.RequireEachIncludedType {
				return // guaranteed characters skew class frequencies slightly
			}
			k := len(allowed)
			exp := float64(total) / float64(k)
			chi := 0.0
			for r := range allowed {
				d := float64(counts[r]) - exp
				chi += d * d / exp
			}
			// Wilson–Hilferty approximation of the 99.99th percentile.
			df := float64(k - 1)
			z := 3.719
			crit := df * math.Pow(1-2/(9*df)+z*math.Sqrt(2/(9*df)), 3)
			if chi > crit {
				t.Errorf("chi-squared %.1f above %.1f for %d characters: not uniform", chi, crit, k)
			}
		})
	}
}

// TestRequiredCharactersAtRandomPositions checks that the guaranteed
// characters are shuffled: with one allowed digit-only class among letters,
// the digit must show up at every position over many draws.
func TestRequiredCharactersAtRandomPositions(t *testing.T) {
	t.Parallel()
	p := config.PasswordPolicy{Length: 8, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeCharacters: "123456789", RequireEachIncludedType: true}
	rng := seeded(4)
	var at [8]int
	for range 2000 {
		pw, err := password.GenerateFrom(rng, p)
		if err != nil {
			t.Fatal(err)
		}
		if i := strings.IndexByte(pw, '0'); i >= 0 {
			at[i]++
		} else {
			t.Fatal("required digit missing")
		}
	}
	for i, n := range at {
		if n < 100 {
			t.Errorf("the first required digit is at position %d only %d times in 2000: %v", i, n, at)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	p := config.PasswordPolicy{Length: 6, ExcludePunctuation: true, ExcludeCharacters: "xyz", RequireEachIncludedType: true}
	cases := []struct {
		name, pw string
		ok       bool
	}{
		{"valid", "aB3cD4", true},
		{"too short", "aB3", false},
		{"too long", "aB3cD4e", false},
		{"excluded char", "aB3cDx", false},
		{"punctuation", "aB3cD!", false},
		{"missing digit", "aBcDeF", false},
		{"missing upper", "ab3cd4", false},
		{"multibyte", "aB3cDé", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := password.Check(p, c.pw)
			if (err == nil) != c.ok {
				t.Fatalf("Check = %v, want ok=%v", err, c.ok)
			}
			if err != nil && strings.Contains(err.Error(), c.pw) {
				t.Fatalf("error %q contains the password", err)
			}
		})
	}
}

// FuzzGenerate builds a policy from the fuzz input and checks that
// GenerateFrom either rejects it as impossible or returns a password that
// meets it. The seed corpus runs as a normal test.
func FuzzGenerate(f *testing.F) {
	f.Add(uint16(32), "", uint8(0), true, uint64(1))
	f.Add(uint16(1), "", uint8(0b1110), true, uint64(2))
	f.Add(uint16(4), "", uint8(0), true, uint64(3))
	f.Add(uint16(5), "", uint8(0b10000), true, uint64(4))
	f.Add(uint16(3), "", uint8(0), true, uint64(5)) // impossible: 4 classes
	f.Add(uint16(0), "", uint8(0), false, uint64(6))
	f.Add(uint16(4097), "", uint8(0), false, uint64(7))
	f.Add(uint16(20), "abcdefghijklmnopqrstuvwxyz", uint8(0b1110), true, uint64(8)) // nothing left
	f.Add(uint16(40), "\"'\\ /@`", uint8(0b10000), true, uint64(9))
	f.Add(uint16(300), "0123456789", uint8(0b01000), true, uint64(10))
	f.Fuzz(func(t *testing.T, length uint16, exclude string, flags uint8, require bool, seed uint64) {
		p := config.PasswordPolicy{
			Length:                  int(length),
			ExcludeCharacters:       exclude,
			ExcludeLowercase:        flags&1 != 0,
			ExcludeUppercase:        flags&2 != 0,
			ExcludeNumbers:          flags&4 != 0,
			ExcludePunctuation:      flags&8 != 0,
			IncludeSpace:            flags&16 != 0,
			RequireEachIncludedType: require,
		}
		var s [32]byte
		for i := range 8 {
			s[i] = byte(seed >> (8 * i))
		}
		pw, err := password.GenerateFrom(rand.NewChaCha8(s), p)
		if verr := p.Validate(); verr != nil {
			if err == nil {
				t.Fatalf("impossible policy %+v accepted", p)
			}
			return
		}
		if err != nil {
			t.Fatalf("possible policy %+v rejected: %v", p, err)
		}
		if err := password.Check(p, pw); err != nil {
			t.Fatalf("policy %+v: %v", p, err)
		}
		allowed := allowedSet(p)
		for _, r := range pw {
			if !allowed[r] {
				t.Fatalf("policy %+v: disallowed character %q", p, r)
			}
		}
	})
}

func BenchmarkGenerate(b *testing.B) {
	for _, length := range []int{32, 256, 4096} {
		p := config.PasswordPolicy{Length: length, RequireEachIncludedType: true}
		b.Run(fmt.Sprintf("length=%d", length), func(b *testing.B) {
			for b.Loop() {
				if _, err := password.Generate(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
