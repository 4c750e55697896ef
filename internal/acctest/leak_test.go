package acctest

import (
	"encoding/json"
	"testing"
)

// TestFindLeakSeesEscapedForms finds a generated password with JSON's
// special characters in the spellings a leak would take.
func TestFindLeakSeesEscapedForms(t *testing.T) {
	t.Parallel()
	const pw = `a"b\c<d>e&f-long`
	secret := `{"password":"` + jsonEscape(pw, false) + `","username":"app"}`
	body, err := json.Marshal(map[string]string{"SecretString": secret})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"raw":                  "x " + pw + " y",
		"json-escaped":         `{"v":"a\"b\\c<d>e&f-long"}`,
		"html-escaped":         `{"v":"a\"b\\c\u003cd\u003ee\u0026f-long"}`,
		"secret in a body":     string(body),
		"url-encoded":          "v=a%22b%5Cc%3Cd%3Ee%26f-long",
		"password of template": `"x":"` + jsonEscape(pw, true) + `"`,
	}
	for name, text := range tests {
		if _, ok := FindLeak(text, []string{secret}); !ok {
			t.Errorf("%s: leak in %q not found", name, text)
		}
	}
	if _, ok := FindLeak(`{"username":"app"}`, []string{secret}); ok {
		t.Error("a short template value counted as a leak")
	}
}
