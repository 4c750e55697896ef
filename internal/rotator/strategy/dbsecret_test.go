package strategy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

func TestParseDBSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want DBSecret
	}{
		{
			name: "every key, port as number, ssl as bool",
			in:   `{"engine":"postgres","host":"db","port":5432,"username":"app","password":"s3cret","dbname":"appdb","masterarn":"arn:m","ssl":true}`,
			want: DBSecret{Engine: "postgres", Host: "db", Port: 5432, Username: "app", Password: "s3cret", DBName: "appdb", MasterARN: "arn:m", SSL: TLSVerifyFull},
		},
		{
			name: "port as string, ssl as string false",
			in:   `{"host":"db","port":"3306","username":"app","password":"s3cret","ssl":"false"}`,
			want: DBSecret{Host: "db", Port: 3306, Username: "app", Password: "s3cret", SSL: TLSDisable},
		},
		{
			name: "ssl verify-full, null optional keys",
			in:   `{"host":"db","port":null,"username":"app","password":"s3cret","dbname":null,"ssl":"verify-full"}`,
			want: DBSecret{Host: "db", Username: "app", Password: "s3cret", SSL: TLSVerifyFull},
		},
		{
			name: "ssl string true",
			in:   `{"host":"db","username":"app","password":"s3cret","ssl":"true"}`,
			want: DBSecret{Host: "db", Username: "app", Password: "s3cret", SSL: TLSVerifyFull},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDBSecret(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, *got, cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".raw" || p.Last().String() == ".orig"
			}, cmp.Ignore()), cmp.AllowUnexported(DBSecret{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseDBSecretErrorsNameKeysNotValues(t *testing.T) {
	t.Parallel()
	const secret = "Sup3r-Secret-Value"
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"not JSON", "x" + secret, "not a JSON object"},
		{"JSON array", `["` + secret + `"]`, "not a JSON object"},
		{"trailing data", `{"host":"h","username":"u","password":"p"} "` + secret + `"`, "trailing data"},
		{"missing password", `{"host":"h","username":"` + secret + `"}`, `no "password" key`},
		{"empty password", `{"host":"h","username":"u","password":""}`, `"password" of the database secret is empty`},
		{"password not a string", `{"host":"h","username":"u","password":12345}`, `"password" of the database secret is not a string`},
		{"bad port", `{"host":"h","username":"u","password":"` + secret + `","port":"` + secret + `"}`, `"port" of the database secret is not a port number`},
		{"port out of range", `{"host":"h","username":"u","password":"p","port":70000}`, `"port"`},
		{"bad ssl", `{"host":"h","username":"u","password":"p","ssl":"` + secret + `"}`, `"ssl" of the database secret must be`},
		{"NUL in password", `{"host":"h","username":"u","password":"a\u0000b"}`, "NUL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseDBSecret(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %s", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error contains a value: %v", err)
			}
		})
	}
}

func TestMarshalKeepsUnknownAndUnchangedKeys(t *testing.T) {
	t.Parallel()
	in := `{"engine":"mysql","host":"db","port":"3306","username":"app","password":"old","ssl":"true","proxy":{"a":[1,2,3]},"note":"x"}`
	d, err := ParseDBSecret(in)
	if err != nil {
		t.Fatal(err)
	}
	d.Username = AlternateUsername(d.Username)
	d.Password = "new"
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"engine": `"mysql"`, "host": `"db"`, "port": `"3306"`, "username": `"app_clone"`, "password": `"new"`,
		"ssl": `"true"`, "proxy": `{"a":[1,2,3]}`, "note": `"x"`,
	}
	gotS := map[string]string{}
	for k, v := range got {
		gotS[k] = string(v)
	}
	if diff := cmp.Diff(want, gotS); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Changing a field rewrites it; clearing an optional one removes it.
	d.Port, d.SSL, d.DBName = 5433, TLSUnset, "newdb"
	out, err = d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if string(got["port"]) != "5433" || string(got["dbname"]) != `"newdb"` {
		t.Errorf("changed port/dbname not written: %s", out)
	}
	if _, ok := got["ssl"]; ok {
		t.Errorf("cleared ssl still present: %s", out)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	t.Parallel()
	d, err := ParseDBSecret(`{"host":"h","username":"u","password":"p","x":1}`)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clone()
	c.Username = "v"
	c.raw["x"] = json.RawMessage("2")
	out, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"username":"u"`) || !strings.Contains(out, `"x":1`) {
		t.Errorf("changing the clone changed the original: %s", out)
	}
}

func TestAlternateUsername(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"app":             "app_clone",
		"app_clone":       "app",
		"_clone":          "_clone_clone",
		"app_clone_clone": "app_clone",
		`a'b"c\d;`:        `a'b"c\d;_clone`,
	} {
		if got := AlternateUsername(in); got != want {
			t.Errorf("AlternateUsername(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStringNeverShowsPassword(t *testing.T) {
	t.Parallel()
	d, err := ParseDBSecret(`{"host":"h","username":"u","password":"Sup3r-Secret-Value"}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, d); strings.Contains(s, "Sup3r-Secret-Value") {
			t.Errorf("%s shows the password: %s", verb, s)
		}
	}
}

func TestSameTargetAndEngine(t *testing.T) {
	t.Parallel()
	a, _ := ParseDBSecret(`{"engine":"postgres","host":"h","port":"5432","username":"u","password":"p","dbname":"d"}`)
	b, _ := ParseDBSecret(`{"engine":"postgres","host":"h","username":"v","password":"q","dbname":"d"}`)
	if diff := SameTarget(a, b, 5432); len(diff) != 0 {
		t.Errorf("default port should match an explicit 5432, got %v", diff)
	}
	c, _ := ParseDBSecret(`{"engine":"postgres","host":"other","port":5433,"username":"u","password":"p","dbname":"e"}`)
	if d := cmp.Diff([]string{KeyHost, KeyPort, KeyDBName}, SameTarget(a, c, 5432)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if err := a.CheckEngine("mysql", "mariadb"); err == nil || strings.Contains(err.Error(), "postgres\"") {
		t.Errorf("CheckEngine = %v, want an error naming the key only", err)
	}
	if err := a.CheckEngine("postgres"); err != nil {
		t.Error(err)
	}
}

func TestParseSetStep(t *testing.T) {
	t.Parallel()
	ok := `{"host":"h","username":"u","password":"p1"}`
	db := DB{Target: &config.Target{Username: "u", Host: "h"}}
	st, err := db.ParseSetStep(Step{Current: ok, Pending: strings.Replace(ok, "p1", "p2", 1), Previous: "not json"}, nil, 5432, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Previous != nil {
		t.Error("an unparsable previous value should be ignored")
	}
	if d := cmp.Diff([]string{"p1", "p2"}, st.Passwords()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if _, err := db.ParseSetStep(Step{Current: ok, Pending: "{}"}, nil, 5432, false); err == nil || !strings.HasPrefix(err.Error(), "AWSPENDING") {
		t.Errorf("error = %v, want one naming AWSPENDING", err)
	}
	if _, err := (DB{}).ParseSetStep(Step{Current: ok, Pending: ok}, nil, 5432, false); err == nil || !strings.Contains(err.Error(), "pins no database user") {
		t.Errorf("without pins: %v, want a refusal", err)
	}
}

// TestCheckPinned: each pinned key is compared, named in the error, and
// its value is never shown.
func TestCheckPinned(t *testing.T) {
	t.Parallel()
	db := DB{Target: &config.Target{Username: "app", Host: "db.internal", Port: 5433, Engine: "postgres", DBName: "appdb", MasterARN: "arn:m"}}
	base := `{"engine":"postgres","host":"db.internal","port":5433,"username":"app","password":"pw","dbname":"appdb","masterarn":"arn:m"}`
	for _, tc := range []struct {
		name, from, to, key string
		alternating         bool
	}{
		{"same", "", "", "", true},
		{"clone allowed when alternating", `"app"`, `"app_clone"`, "", true},
		{"clone refused single user", `"app"`, `"app_clone"`, "username", false},
		{"other user", `"app"`, `"evil"`, "username", true},
		{"other user's clone", `"app"`, `"evil_clone"`, "username", true},
		{"other host", `"db.internal"`, `"evil.example"`, "host", true},
		{"other port", `5433`, `5432`, "port", true},
		{"no port means the default", `"port":5433,`, ``, "port", true},
		{"other database", `"appdb"`, `"evil"`, "dbname", true},
		{"other engine", `"engine":"postgres"`, `"engine":"aurora-postgresql"`, "engine", true},
		{"other master", `"arn:m"`, `"arn:evil"`, "masterarn", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDBSecret(strings.Replace(base, tc.from, tc.to, 1))
			if err != nil {
				t.Fatal(err)
			}
			err = db.CheckPinned("AWSCURRENT", d, 5432, tc.alternating)
			if tc.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), `"`+tc.key+`"`) {
				t.Fatalf("error = %v, want one naming %q", err, tc.key)
			}
			if strings.Contains(err.Error(), "evil") || strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows a value: %v", err)
			}
		})
	}
}

// TestStricterTLS: the master login and every login use the strictest
// setting; no key counts as verify-full.
func TestStricterTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []TLSMode
		want TLSMode
	}{
		{[]TLSMode{TLSDisable, TLSDisable}, TLSDisable},
		{[]TLSMode{TLSDisable, TLSUnset}, TLSVerifyFull},
		{[]TLSMode{TLSRequire, TLSDisable}, TLSRequire},
		{[]TLSMode{TLSVerifyCA, TLSRequire}, TLSVerifyCA},
		{[]TLSMode{TLSDisable, TLSVerifyFull, TLSRequire}, TLSVerifyFull},
	} {
		if got := Stricter(tc.in...); got != tc.want {
			t.Errorf("Stricter(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestRedact: the password disappears from an error text in every form a
// database may echo it: as is, with quotes doubled, backslash-escaped
// (MySQL), JSON-escaped and Go-quoted.
func TestRedact(t *testing.T) {
	t.Parallel()
	pw := `a'b"c\d`
	for _, msg := range []string{
		`password a'b"c\d rejected`,
		`near 'a''b"c\d'`,
		`near 'a\'b\"c\\d'`,
		`near 'a\'b"c\\d'`,
		`near 'a''b"c\\d'`,
		`{"password":"a'b\"c\\d"}`,
	} {
		got := Redact(msg, pw)
		if !strings.Contains(got, "<redacted>") || strings.Contains(got, `c\d`) || strings.Contains(got, `c\\d`) || strings.Contains(got, `b"c`) || strings.Contains(got, `b\"c`) {
			t.Errorf("Redact(%q) = %q, the password is still there", msg, got)
		}
	}
	if got := Redact("nothing here", pw, ""); got != "nothing here" {
		t.Errorf("Redact changed a text without the password: %q", got)
	}
}

func TestTLSHint(t *testing.T) {
	t.Parallel()
	tlsErr := errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")
	if TLSHint(TLSUnset, tlsErr) == "" || TLSHint(TLSVerifyFull, errors.New("TLS requested but server does not support TLS")) == "" {
		t.Error("no hint for a TLS failure")
	}
	if h := TLSHint(TLSUnset, errors.New("Error 1045: Access denied for user")); h != "" {
		t.Errorf("hint for a wrong password: %q", h)
	}
	if h := TLSHint(TLSDisable, tlsErr); h != "" {
		t.Errorf("hint with ssl false: %q", h)
	}
}
