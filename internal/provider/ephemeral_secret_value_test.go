package provider_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
)

// secretValueConfig: a rotated secret "source", the ephemeral
// rotator_secret_value of its password, and a second rotated secret
// "copy" whose write-only initial_value_wo takes that password.
func secretValueConfig(env *acctest.Env, source, target string) string {
	const rotation = `
  secret_template         = jsonencode({ username = "app" })
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }`
	return env.ProviderBlock() + fmt.Sprintf(`
resource "rotator_rotated_secret" "source" {
  name                    = %q
  recovery_window_in_days = 0
%s
}

ephemeral "rotator_secret_value" "source" {
  secret_id = rotator_rotated_secret.source.arn
  field     = "password"
}

resource "rotator_rotated_secret" "copy" {
  name                     = %q
  recovery_window_in_days  = 0
  initial_value_wo         = ephemeral.rotator_secret_value.source.value
  initial_value_wo_version = 1
%s
}
`, source, rotation, target, rotation)
}

// TestAccSecretValue_writeOnlyNeverStored reads a generated password
// through rotator_secret_value into another resource's write-only
// argument, and proves the value arrived (the second secret holds it) and
// appears nowhere in the state, the plan JSON or a TF_LOG=trace log, in
// any of the encodings a leak would take there. Not parallel: it sets TF_LOG.
func TestAccSecretValue_writeOnlyNeverStored(t *testing.T) {
	acctest.PreCheck(t)
	env := acctest.NewEnv(t)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	source, target := acctest.RandomName(), acctest.RandomName()
	var secrets []string // the source's whole secret string and its password
	noLeakInPlan := plancheck.PlanCheck(planSecretCheck{secrets: &secrets})
	noLeakInState := statecheck.StateCheck(stateSecretCheck{secrets: &secrets})
	cfg := secretValueConfig(env, source, target)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		CheckDestroy:             env.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(*terraform.State) error {
					whole, err := currentValue(env, source)
					if err != nil {
						return err
					}
					password := jsonField(whole, "password")
					if len(password) < 16 {
						return errorf("the source secret has no generated password")
					}
					secrets = append(secrets, leakForms(whole)...)
					secrets = append(secrets, leakForms(password)...)
					copied, err := currentValue(env, target)
					if err != nil {
						return err
					}
					if got := jsonField(copied, "password"); got != password {
						return errorf("the copy's password is not the source's AWSCURRENT password: the ephemeral value did not reach initial_value_wo")
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{noLeakInState},
			},
			{
				// Re-planning reads the ephemeral value again; nothing
				// changes and nothing leaks into the plan.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), noLeakInPlan},
				},
				ConfigStateChecks: []statecheck.StateCheck{noLeakInState},
			},
		},
	})

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	if !strings.Contains(string(log), "GetSecretValue") || !strings.Contains(string(log), secretValueTypeName) {
		t.Fatalf("the trace log shows no GetSecretValue call of %s (%d bytes); the check below would prove nothing", secretValueTypeName, len(log))
	}
	if len(secrets) == 0 {
		t.Fatal("no secret values were collected; the checks proved nothing")
	}
	for i, s := range secrets {
		if strings.Contains(string(log), s) {
			t.Errorf("secret form #%d appears in the TF_LOG=trace log", i)
		}
	}
}

const secretValueTypeName = "rotator_secret_value"

// jsonField returns a top-level string of a JSON object, "" otherwise.
func jsonField(s, key string) string {
	var obj map[string]any
	if json.Unmarshal([]byte(s), &obj) != nil {
		return ""
	}
	v, _ := obj[key].(string)
	return v
}

// leakForms lists the forms in which a value could leak into a JSON
// document, a log line or a request: as is, JSON-escaped (once, and
// twice for JSON inside a JSON string), URL-encoded and base64-encoded.
func leakForms(v string) []string {
	forms := map[string]bool{v: true}
	for _, html := range []bool{true, false} {
		esc := v
		for range 2 {
			esc = jsonEscape(esc, html)
			forms[esc] = true
		}
	}
	forms[url.QueryEscape(v)] = true
	forms[url.PathEscape(v)] = true
	forms[base64.StdEncoding.EncodeToString([]byte(v))] = true
	forms[base64.RawURLEncoding.EncodeToString([]byte(v))] = true
	out := make([]string, 0, len(forms))
	for f := range forms {
		out = append(out, f)
	}
	return out
}

// jsonEscape is s inside a JSON string, without the quotes, with or
// without the HTML escapes (\u003c, \u0026) of Go's encoder.
func jsonEscape(s string, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s)
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// TestLeakForms pins the encodings the leak checks search for.
func TestLeakForms(t *testing.T) {
	t.Parallel()
	got := map[string]bool{}
	for _, f := range leakForms(`a"b\c d&e`) {
		got[f] = true
	}
	for _, want := range []string{`a"b\c d&e`, `a\"b\\c d\u0026e`, `a\"b\\c d&e`, `a\\\"b\\\\c d\\u0026e`, `a%22b%5Cc+d%26e`, base64.StdEncoding.EncodeToString([]byte(`a"b\c d&e`))} {
		if !got[want] {
			t.Errorf("leakForms misses %q", want)
		}
	}
}
