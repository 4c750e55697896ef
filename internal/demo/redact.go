package demo

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
)

// minSecretLen is the shortest value the Redactor treats as a secret: shorter
// strings (a port, "app") would match innocent text. Generated passwords are
// 32 characters by default.
const minSecretLen = 6

// redactedMark replaces a secret value in redacted text.
const redactedMark = "[redacted]"

// Redactor knows the secret values seen during a run and finds or removes
// them in text. The zero value is not usable; call NewRedactor.
type Redactor struct {
	secrets map[string]struct{}
}

// NewRedactor returns an empty Redactor.
func NewRedactor() *Redactor {
	return &Redactor{secrets: map[string]struct{}{}}
}

// Add registers secret values. Each value is also registered in its JSON
// string-escaped form, as it appears inside a JSON document or log line.
func (r *Redactor) Add(values ...string) {
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		r.secrets[v] = struct{}{}
		if b, err := json.Marshal(v); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != v {
				r.secrets[esc] = struct{}{}
			}
		}
	}
}

// AddSecretString registers a SecretString: the whole string and, when it
// is a JSON object, the string values of the given fields (the rotated
// field, for example "password").
func (r *Redactor) AddSecretString(s string, fields ...string) {
	r.Add(s)
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) != nil {
		return
	}
	for _, f := range fields {
		if v, ok := obj[f].(string); ok {
			r.Add(v)
		}
	}
}

// Len reports how many distinct values (including escaped forms) are known.
func (r *Redactor) Len() int { return len(r.secrets) }

// sorted returns the known values, longest first, so that a value that
// contains another is replaced whole.
func (r *Redactor) sorted() []string {
	out := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// Contains reports whether text contains any known secret value.
func (r *Redactor) Contains(text string) bool {
	for s := range r.secrets {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// Leaks returns the 1-based numbers of the lines that contain a known
// secret value.
func (r *Redactor) Leaks(lines []string) []int {
	var out []int
	for i, l := range lines {
		if r.Contains(l) {
			out = append(out, i+1)
		}
	}
	return out
}

// Redact returns text with every known secret value replaced.
func (r *Redactor) Redact(text string) string {
	for _, s := range r.sorted() {
		text = strings.ReplaceAll(text, s, redactedMark)
	}
	return text
}

// passwordField returns the "password" of a JSON secret.
func passwordField(secretString string) (string, error) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(secretString), &obj); err != nil {
		return "", errors.New("the secret is not a JSON object")
	}
	p, ok := obj["password"].(string)
	if !ok {
		return "", errors.New("the secret has no string \"password\" key")
	}
	return p, nil
}
