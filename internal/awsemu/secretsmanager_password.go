package awsemu

// secretsmanager_password.go implements GetRandomPassword with AWS's
// options and defaults, using crypto/rand.

import (
	"crypto/rand"
	"math/big"
	"strings"
)

const (
	smLower       = "abcdefghijklmnopqrstuvwxyz"
	smUpper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	smDigits      = "0123456789"
	smPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

func (b *smBackend) getRandomPassword(c *Call) (any, error) {
	var in struct {
		PasswordLength          *int64
		ExcludeCharacters       string
		ExcludeNumbers          bool
		ExcludePunctuation      bool
		ExcludeUppercase        bool
		ExcludeLowercase        bool
		IncludeSpace            bool
		RequireEachIncludedType *bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorize(c, "GetRandomPassword", "*"); err != nil {
		return nil, err
	}
	length := int64(32)
	if in.PasswordLength != nil {
		length = *in.PasswordLength
	}
	if length < 1 || length > 4096 {
		return nil, emuErr("InvalidParameterException", "Password length must be between 1 and 4096.")
	}
	requireEach := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	pw, err := smGeneratePassword(int(length), in.ExcludeCharacters, !in.ExcludeLowercase, !in.ExcludeUppercase, !in.ExcludeNumbers, !in.ExcludePunctuation, in.IncludeSpace, requireEach)
	if err != nil {
		return nil, err
	}
	return map[string]any{"RandomPassword": pw}, nil
}

// smGeneratePassword draws a password from the enabled classes minus the
// excluded characters; with requireEach, every enabled class appears.
func smGeneratePassword(length int, exclude string, lower, upper, digits, punct, space, requireEach bool) (string, error) {
	var classes []string
	add := func(on bool, set string) {
		if !on {
			return
		}
		var kept strings.Builder
		for _, r := range set {
			if !strings.ContainsRune(exclude, r) {
				kept.WriteRune(r)
			}
		}
		if kept.Len() > 0 {
			classes = append(classes, kept.String())
		}
	}
	add(lower, smLower)
	add(upper, smUpper)
	add(digits, smDigits)
	add(punct, smPunctuation)
	add(space, " ")
	if len(classes) == 0 {
		return "", emuErr("InvalidParameterException", "The password must contain at least one character: every character class is excluded.")
	}
	if requireEach && length < len(classes) {
		return "", emuErr("InvalidParameterException", "The password length is too short to include one character of each included type.")
	}
	all := strings.Join(classes, "")
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic("awsemu: crypto/rand: " + err.Error())
		}
		return set[n.Int64()]
	}
	out := make([]byte, length)
	for i := range out {
		out[i] = pick(all)
	}
	if requireEach {
		// Put one character of each class at distinct random positions.
		perm := make([]int, length)
		for i := range perm {
			perm[i] = i
		}
		for i := length - 1; i > 0; i-- {
			j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			perm[i], perm[j.Int64()] = perm[j.Int64()], perm[i]
		}
		for k, set := range classes {
			out[perm[k]] = pick(set)
		}
	}
	return string(out), nil
}
