package acctest

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// minLeakLen keeps short, common strings (such as "app") out of the leak
// search: they would match anywhere.
const minLeakLen = 8

// LeakForms returns every spelling in which value could appear in a plan,
// state or log: as is, JSON-escaped (with and without HTML escaping, and
// twice, as a SecretString inside a logged request body), URL-encoded and
// base64-encoded. When value is a JSON object (a secret with a template),
// the forms of each of its string members are included too.
func LeakForms(value string) []string {
	var out []string
	add := func(v string) {
		if len(v) < minLeakLen {
			return
		}
		once := jsonEscape(v, false)
		out = append(out, v, once, jsonEscape(v, true), jsonEscape(once, false),
			url.QueryEscape(v), url.PathEscape(v),
			base64.StdEncoding.EncodeToString([]byte(v)), base64.URLEncoding.EncodeToString([]byte(v)))
	}
	add(value)
	var obj map[string]any
	if json.Unmarshal([]byte(value), &obj) == nil {
		for _, m := range obj {
			if s, ok := m.(string); ok {
				add(s)
			}
		}
	}
	return out
}

// FindLeak reports the first of secrets that appears in text in any of
// its LeakForms: its index and true.
func FindLeak(text string, secrets []string) (int, bool) {
	for i, s := range secrets {
		for _, f := range LeakForms(s) {
			if strings.Contains(text, f) {
				return i, true
			}
		}
	}
	return 0, false
}

// jsonEscape is v as it appears inside a JSON string.
func jsonEscape(v string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(v) // a string always encodes
	s := strings.TrimSuffix(b.String(), "\n")
	return s[1 : len(s)-1]
}
