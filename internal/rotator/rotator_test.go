package rotator_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

const (
	testARN   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbC123"
	testName  = "app/db"
	tok       = "0b5c1c0e-7f1a-4d0c-9a51-5a0f4d2e7a11" // the token in testdata
	rotTok    = "rt-5e4a9d1f"                          // the RotationToken in testdata
	curPW     = "Cur-Pass-0001-Never-Logged"
	prevPW    = "Prev-Pass-0000-Never-Logged"
	curValue  = `{"dbname":"app","engine":"postgres","host":"db.internal","password":"` + curPW + `","port":5432,"username":"app"}`
	prevValue = `{"dbname":"app","engine":"postgres","host":"db.internal","password":"` + prevPW + `","port":5432,"username":"app"}`
)

var steps = []string{"create_secret", "set_secret", "test_secret", "finish_secret"}

func testConfig() config.Config {
	return config.Config{SecretARN: testARN, Strategy: config.StrategyGeneric, RotatedField: "password", Password: config.DefaultPasswordPolicy()}
}

// baseFixture is a secret mid-rotation: AWSCURRENT and AWSPREVIOUS hold
// values, and Secrets Manager has put the AWSPENDING placeholder on tok.
func baseFixture() fixture {
	return fixture{
		stages: map[string][]string{"v-cur": {"AWSCURRENT"}, "v-prev": {"AWSPREVIOUS"}, tok: {"AWSPENDING"}},
		values: map[string]string{"v-cur": curValue, "v-prev": prevValue},
	}
}

// finalLabels is AWS's end state after the rotation of baseFixture.
func finalLabels() map[string][]string {
	return map[string][]string{tok: {"AWSCURRENT", "AWSPENDING"}, "v-cur": {"AWSPREVIOUS"}}
}

// syncBuffer is a log sink safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHandler(f *fakeSM, logs *syncBuffer, opts ...rotator.Option) *rotator.Handler {
	return newHandlerWith(f, logs, opts...)
}

func newHandlerWith(sm rotator.SecretsManager, logs *syncBuffer, opts ...rotator.Option) *rotator.Handler {
	if logs == nil {
		logs = &syncBuffer{}
	}
	opts = append([]rotator.Option{rotator.WithLogger(slog.New(slog.NewJSONHandler(logs, nil)))}, opts...)
	return rotator.New(testConfig(), sm, opts...)
}

// event loads testdata/<name>.json.
func event(t *testing.T, name string) events.SecretsManagerSecretRotationEvent {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SecretsManagerSecretRotationEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// stepEvent is testdata's event for step with another token.
func stepEvent(t *testing.T, step, token string) events.SecretsManagerSecretRotationEvent {
	t.Helper()
	ev := event(t, step)
	ev.ClientRequestToken = token
	return ev
}

// rotate runs the given steps in order as Secrets Manager does: it stops
// at the first failure and returns it.
func rotate(t *testing.T, h *rotator.Handler, token string, stepNames ...string) error {
	t.Helper()
	if len(stepNames) == 0 {
		stepNames = steps
	}
	for _, s := range stepNames {
		if err := h.Handle(context.Background(), stepEvent(t, s, token)); err != nil {
			return err
		}
	}
	return nil
}

// checkPending asserts that the value stored under id is a rotation of
// curValue that meets the default policy.
func checkPending(t *testing.T, f *fakeSM, id string) string {
	t.Helper()
	v, ok := f.Value(id)
	if !ok {
		t.Fatalf("version %s has no value", id)
	}
	g := strategy.NewGeneric("password", config.DefaultPasswordPolicy())
	if err := g.Test(context.Background(), strategy.Step{Current: curValue, Pending: v}); err != nil {
		t.Fatalf("stored value is not a valid rotation: %v", err)
	}
	return v
}

func passwordOf(t *testing.T, v string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return v
	}
	s, _ := m["password"].(string)
	return s
}

func TestGuard(t *testing.T) {
	t.Parallel()
	noCalls := map[string]int{}
	cases := []struct {
		name      string
		ev        func(t *testing.T) events.SecretsManagerSecretRotationEvent
		fx        func(fx *fixture, f *fakeSM)
		wantErr   error // nil: success
		wantCalls map[string]int
		wantValue bool // the token's version holds a value afterwards
	}{
		{name: "missing token", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent { return event(t, "missing_token") }, wantErr: rotator.ErrBadEvent, wantCalls: noCalls},
		{name: "missing step", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.Step = ""
			return ev
		}, wantErr: rotator.ErrBadEvent, wantCalls: noCalls},
		{name: "missing secret id", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = ""
			return ev
		}, wantErr: rotator.ErrBadEvent, wantCalls: noCalls},
		{name: "unknown step", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent { return event(t, "unknown_step") }, wantErr: rotator.ErrUnknownStep, wantCalls: noCalls},
		{name: "PascalCase step", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.Step = "CreateSecret"
			return ev
		}, wantErr: rotator.ErrUnknownStep, wantCalls: noCalls},
		{name: "another secret's ARN", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ987"
			return ev
		}, wantErr: rotator.ErrWrongSecret, wantCalls: noCalls},
		{name: "partial ARN of this secret", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = strings.TrimSuffix(testARN, "-AbC123")
			return ev
		}, wantErr: rotator.ErrWrongSecret, wantCalls: noCalls},
		{name: "name of this secret", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = testName
			return ev
		}, wantCalls: map[string]int{"DescribeSecret": 1, "GetSecretValue": 2, "PutSecretValue": 1}, wantValue: true},
		{name: "name of another secret", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = "other"
			return ev
		}, fx: func(_ *fixture, f *fakeSM) {
			f.others = map[string]string{"other": "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ987"}
		}, wantErr: rotator.ErrWrongSecret, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "unknown name", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			ev := event(t, "create_secret")
			ev.SecretID = "nope"
			return ev
		}, wantErr: &types.ResourceNotFoundException{}, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "rotation disabled", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent { return event(t, "create_secret") },
			fx: func(_ *fixture, f *fakeSM) { f.enabled = aws.Bool(false) }, wantErr: rotator.ErrRotationDisabled, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "rotation never configured", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent { return event(t, "create_secret") },
			fx: func(_ *fixture, f *fakeSM) { f.enabled = nil }, wantCalls: map[string]int{"DescribeSecret": 1, "GetSecretValue": 2, "PutSecretValue": 1}, wantValue: true},
		{name: "token absent", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			return stepEvent(t, "create_secret", "no-such-token")
		},
			wantErr: rotator.ErrNoStage, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "token already AWSCURRENT", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			return stepEvent(t, "create_secret", "v-cur")
		},
			wantCalls: map[string]int{"DescribeSecret": 1}, wantValue: false},
		{name: "token is AWSPREVIOUS", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			return stepEvent(t, "set_secret", "v-prev")
		},
			wantErr: rotator.ErrNotPending, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "token has only a custom label", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			return stepEvent(t, "finish_secret", "v-custom")
		},
			fx: func(fx *fixture, _ *fakeSM) { fx.stages["v-custom"] = []string{"MYLABEL"} }, wantErr: rotator.ErrNotPending, wantCalls: map[string]int{"DescribeSecret": 1}},
		{name: "snake_case alias", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent {
			return event(t, "create_secret_snake_case")
		},
			wantCalls: map[string]int{"DescribeSecret": 1, "GetSecretValue": 2, "PutSecretValue": 1}, wantValue: true},
		{name: "camelCase", ev: func(t *testing.T) events.SecretsManagerSecretRotationEvent { return event(t, "create_secret") },
			wantCalls: map[string]int{"DescribeSecret": 1, "GetSecretValue": 2, "PutSecretValue": 1}, wantValue: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fx := baseFixture()
			probe := &fakeSM{}
			if c.fx != nil {
				c.fx(&fx, probe)
			}
			f := newFake(fx)
			if c.fx != nil {
				c.fx(&fx, f)
			}
			before := f.Labels()
			err := newHandler(f, nil).Handle(context.Background(), c.ev(t))
			switch want := c.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatalf("Handle: %v", err)
				}
			case *types.ResourceNotFoundException:
				if !errors.As(err, &want) {
					t.Fatalf("Handle = %v, want ResourceNotFoundException", err)
				}
			default:
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Handle = %v, want %v", err, c.wantErr)
				}
			}
			if d := cmp.Diff(c.wantCalls, f.Calls()); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
			if _, ok := f.Value(tok); ok != c.wantValue {
				t.Errorf("token version has a value: %v, want %v", ok, c.wantValue)
			}
			if !c.wantValue {
				if d := cmp.Diff(before, f.Labels()); d != "" {
					t.Errorf("labels changed (-before +after):\n%s", d)
				}
			}
		})
	}
}

func TestFullRotation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		current string
	}{
		{"json secret", curValue},
		{"plain secret", curPW},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fx := baseFixture()
			fx.values["v-cur"] = c.current
			f := newFake(fx)
			if err := rotate(t, newHandler(f, nil), tok); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(finalLabels(), f.Labels()); d != "" {
				t.Fatalf("labels (-want +got):\n%s", d)
			}
			got, _ := f.Value(tok)
			g := strategy.NewGeneric("password", config.DefaultPasswordPolicy())
			if err := g.Test(context.Background(), strategy.Step{Current: c.current, Pending: got}); err != nil {
				t.Fatalf("new AWSCURRENT: %v", err)
			}
			if err := password.Check(config.DefaultPasswordPolicy(), passwordOf(t, got)); err != nil {
				t.Fatal(err)
			}
			// The guard's DescribeSecret is reused by every step; the
			// generic strategy's setSecret reads nothing.
			want := map[string]int{"DescribeSecret": 4, "GetSecretValue": 4, "PutSecretValue": 1, "UpdateSecretVersionStage": 1}
			if d := cmp.Diff(want, f.Calls()); d != "" {
				t.Fatalf("Secrets Manager calls per rotation (-want +got):\n%s", d)
			}
			total := 0
			for _, n := range f.Calls() {
				total += n
			}
			t.Logf("Secrets Manager calls per full rotation: %d %v", total, f.Calls())
		})
	}
}

// startRotation does what RotateSecret does before invoking the function:
// it puts AWSPENDING on a new placeholder version named token.
func (f *fakeSM) startRotation(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versions[token] = &fakeVersion{}
	f.move("AWSPENDING", token)
}

func TestThreeRotationsEndState(t *testing.T) {
	t.Parallel()
	f := newFake(fixture{stages: map[string][]string{"v0": {"AWSCURRENT"}}, values: map[string]string{"v0": curValue}})
	h := newHandler(f, nil)
	var before string
	for _, token := range []string{"t1", "t2", "t3"} {
		before, _ = f.Value(f.holder("AWSCURRENT"))
		f.startRotation(token)
		if err := rotate(t, h, token); err != nil {
			t.Fatalf("rotation %s: %v", token, err)
		}
	}
	if d := cmp.Diff(map[string][]string{"t3": {"AWSCURRENT", "AWSPENDING"}, "t2": {"AWSPREVIOUS"}}, f.Labels()); d != "" {
		t.Fatalf("labels (-want +got):\n%s", d)
	}
	if prev, _ := f.Value("t2"); prev != before {
		t.Fatal("AWSPREVIOUS is not the value from before the last rotation")
	}
}

func TestIdempotentRerunOfEveryStep(t *testing.T) {
	t.Parallel()
	for k, step := range steps {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			f := newFake(baseFixture())
			h := newHandler(f, nil)
			if err := rotate(t, h, tok, steps[:k+1]...); err != nil {
				t.Fatal(err)
			}
			labels, value, writes := f.Labels(), f.Values(), f.Writes()
			if err := rotate(t, h, tok, step); err != nil {
				t.Fatalf("re-run of %s: %v", step, err)
			}
			if d := cmp.Diff(labels, f.Labels()); d != "" {
				t.Errorf("re-run changed labels (-before +after):\n%s", d)
			}
			if d := cmp.Diff(value, f.Values(), sortStrings); d != "" {
				t.Errorf("re-run changed values")
			}
			if f.Writes() != writes {
				t.Errorf("re-run wrote %d times", f.Writes()-writes)
			}
			if err := rotate(t, h, tok, steps[k+1:]...); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(finalLabels(), f.Labels()); d != "" {
				t.Fatalf("labels (-want +got):\n%s", d)
			}
		})
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func TestTokenReusedWithDifferentValue(t *testing.T) {
	t.Parallel()
	t.Run("the fake refuses it", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		put := func(v string) error {
			_, err := f.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
				SecretId: aws.String(testARN), ClientRequestToken: aws.String(tok), SecretString: aws.String(v), VersionStages: []string{"AWSPENDING"},
			})
			return err
		}
		if err := put("a"); err != nil {
			t.Fatal(err)
		}
		if err := put("a"); err != nil {
			t.Fatalf("same token, same value: %v", err)
		}
		var exists *types.ResourceExistsException
		if err := put("b"); !errors.As(err, &exists) {
			t.Fatalf("same token, other value: %v, want ResourceExistsException", err)
		}
		if v, _ := f.Value(tok); v != "a" {
			t.Fatal("the value changed")
		}
	})
	t.Run("createSecret never regenerates", func(t *testing.T) {
		t.Parallel()
		fx := baseFixture()
		f := newFake(fx)
		if err := rotate(t, newHandler(f, nil), tok, "create_secret"); err != nil {
			t.Fatal(err)
		}
		first, _ := f.Value(tok)
		// A second function instance (another random source) retries.
		if err := rotate(t, newHandler(f, nil), tok, "create_secret"); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.Value(tok); again != first {
			t.Fatal("createSecret regenerated the value")
		}
		if got := f.Calls()["PutSecretValue"]; got != 1 {
			t.Fatalf("PutSecretValue called %d times, want 1", got)
		}
	})
	t.Run("a concurrent writer wins", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		other := strings.Replace(curValue, curPW, "Racer-Pass-1234-Abcdefghijklmnop", 1)
		f.beforePut = func(f *fakeSM) {
			f.mu.Lock()
			f.versions[tok].value = aws.String(other)
			f.mu.Unlock()
			f.beforePut = nil
		}
		logs := &syncBuffer{}
		h := newHandler(f, logs)
		err := rotate(t, h, tok)
		var exists *types.ResourceExistsException
		if !errors.As(err, &exists) {
			t.Fatalf("rotate = %v, want ResourceExistsException", err)
		}
		if v, _ := f.Value(tok); v != other {
			t.Fatal("the concurrent writer's value was replaced")
		}
		if f.holder("AWSCURRENT") != "v-cur" {
			t.Fatal("AWSCURRENT moved after a failed createSecret")
		}
		// The retry keeps the stored value and finishes.
		if err := rotate(t, h, tok); err != nil {
			t.Fatal(err)
		}
		if v, _ := f.Value(f.holder("AWSCURRENT")); v != other {
			t.Fatal("the retry did not promote the stored value")
		}
		for _, s := range []string{curPW, "Racer-Pass-1234"} {
			if strings.Contains(logs.String(), s) || strings.Contains(err.Error(), s) {
				t.Fatal("a secret value leaked into a log line or an error")
			}
		}
	})
}

// TestCrashThenRetryConverges fails every Secrets Manager call of a
// rotation in turn, before and after it takes effect, then lets Secrets
// Manager retry the whole rotation.
func TestCrashThenRetryConverges(t *testing.T) {
	t.Parallel()
	clean := newFake(baseFixture())
	if err := rotate(t, newHandler(clean, nil), tok); err != nil {
		t.Fatal(err)
	}
	calls := clean.Recorded()
	for i := range calls {
		for _, after := range []bool{false, true} {
			name := calls[i].Op
			if after {
				name += " after effect"
			}
			t.Run(strings.Join([]string{string(rune('a' + i)), name}, " "), func(t *testing.T) {
				t.Parallel()
				f := newFake(baseFixture())
				f.fault = crashAt(i+1, after)
				h := newHandler(f, nil)
				if err := rotate(t, h, tok); !errors.Is(err, errCrash) {
					t.Fatalf("first attempt = %v, want the injected crash", err)
				}
				moved := f.holder("AWSCURRENT") != "v-cur"
				if moved && (calls[i].Op != "UpdateSecretVersionStage" || !after) {
					t.Fatal("AWSCURRENT moved before finishSecret completed")
				}
				first, stored := f.Value(tok)
				f.fault = nil
				if err := rotate(t, h, tok); err != nil {
					t.Fatalf("retry: %v", err)
				}
				if d := cmp.Diff(finalLabels(), f.Labels()); d != "" {
					t.Fatalf("labels after retry (-want +got):\n%s", d)
				}
				got := checkPending(t, f, tok)
				if stored && got != first {
					t.Fatal("the retry replaced the value stored by the first attempt")
				}
				if prev, _ := f.Value(f.holder("AWSPREVIOUS")); prev != curValue {
					t.Fatal("AWSPREVIOUS is not the old current value")
				}
			})
		}
	}
}

// failingTest wraps a strategy and fails its Test.
type failingTest struct {
	strategy.Strategy
	steps []strategy.Step
}

func (f *failingTest) Test(_ context.Context, s strategy.Step) error {
	f.steps = append(f.steps, s)
	return errors.New("the target refused the pending credential")
}

func TestFailedTestKeepsCurrent(t *testing.T) {
	t.Parallel()
	t.Run("strategy test fails", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		h := newHandler(f, nil, rotator.WithStrategy(&failingTest{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())}))
		for range 3 { // Secrets Manager retries the whole rotation
			if err := rotate(t, h, tok); err == nil || !strings.Contains(err.Error(), "testSecret") {
				t.Fatalf("rotate = %v, want a testSecret failure", err)
			}
		}
		if d := cmp.Diff(map[string][]string{"v-cur": {"AWSCURRENT"}, "v-prev": {"AWSPREVIOUS"}, tok: {"AWSPENDING"}}, f.Labels()); d != "" {
			t.Fatalf("labels (-want +got):\n%s", d)
		}
		if f.Calls()["UpdateSecretVersionStage"] != 0 || f.Calls()["PutSecretValue"] != 1 {
			t.Fatalf("writes: %v", f.Calls())
		}
	})
	t.Run("malformed pending value", func(t *testing.T) {
		t.Parallel()
		fx := baseFixture()
		fx.values[tok] = `{"password":"short"}`
		f := newFake(fx)
		err := rotate(t, newHandler(f, nil), tok)
		if err == nil {
			t.Fatal("a malformed pending value passed testSecret")
		}
		if strings.Contains(err.Error(), "short") {
			t.Fatalf("error %q contains the value", err)
		}
		if f.holder("AWSCURRENT") != "v-cur" {
			t.Fatal("AWSCURRENT moved")
		}
	})
}

// recording wraps a strategy and records the Steps it is given.
type recording struct {
	strategy.Strategy
	mu    sync.Mutex
	tests []strategy.Step
}

func (r *recording) Test(ctx context.Context, s strategy.Step) error {
	r.mu.Lock()
	r.tests = append(r.tests, s)
	r.mu.Unlock()
	return r.Strategy.Test(ctx, s)
}

func TestRotateImmediatelyFalse(t *testing.T) {
	t.Parallel()
	t.Run("configuration check passes without writing", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		rec := &recording{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())}
		before := f.Labels()
		if err := rotate(t, newHandler(f, nil, rotator.WithStrategy(rec)), tok, "test_secret"); err != nil {
			t.Fatal(err)
		}
		// recording does not implement strategy.Reader, so it is given
		// AWSPENDING (not found), AWSCURRENT and AWSPREVIOUS.
		if d := cmp.Diff(map[string]int{"DescribeSecret": 1, "GetSecretValue": 3}, f.Calls()); d != "" {
			t.Fatalf("calls (-want +got):\n%s", d)
		}
		if d := cmp.Diff(before, f.Labels()); d != "" {
			t.Fatalf("labels changed:\n%s", d)
		}
		if len(rec.tests) != 1 || rec.tests[0].Pending != curValue || rec.tests[0].Current != curValue {
			t.Fatal("the configuration check did not test the current value")
		}
	})
	t.Run("a broken configuration fails", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		h := newHandler(f, nil, rotator.WithStrategy(&failingTest{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())}))
		if err := rotate(t, h, tok, "test_secret"); err == nil {
			t.Fatal("testSecret passed with a failing strategy")
		}
		if f.Writes() != 0 {
			t.Fatal("testSecret wrote")
		}
	})
	t.Run("testSecret of a stored pending value writes nothing", func(t *testing.T) {
		t.Parallel()
		f := newFake(baseFixture())
		h := newHandler(f, nil)
		if err := rotate(t, h, tok, "create_secret"); err != nil {
			t.Fatal(err)
		}
		w := f.Writes()
		if err := rotate(t, h, tok, "test_secret", "test_secret"); err != nil {
			t.Fatal(err)
		}
		if f.Writes() != w {
			t.Fatal("testSecret wrote")
		}
	})
}

func TestStuckPending(t *testing.T) {
	t.Parallel()
	oldPending := strings.Replace(curValue, curPW, "Old-Pending-Pass-000000000000000", 1)
	cases := []struct {
		name       string
		fx         fixture
		token      string
		wantErr    error
		wantLabels map[string][]string
		wantValue  string // AWSCURRENT's value afterwards, "" = a fresh one
	}{
		{
			name: "new token unknown while an old version holds AWSPENDING",
			fx: fixture{
				stages: map[string][]string{"v-cur": {"AWSCURRENT"}, "v-old": {"AWSPENDING"}},
				values: map[string]string{"v-cur": curValue, "v-old": oldPending},
			},
			token:      tok,
			wantErr:    rotator.ErrNoStage,
			wantLabels: map[string][]string{"v-cur": {"AWSCURRENT"}, "v-old": {"AWSPENDING"}},
			wantValue:  curValue,
		},
		{
			name: "AWSPENDING moved to the new token's placeholder",
			fx: fixture{
				stages: map[string][]string{"v-cur": {"AWSCURRENT"}, tok: {"AWSPENDING"}},
				values: map[string]string{"v-cur": curValue, "v-old": oldPending},
			},
			token:      tok,
			wantLabels: finalLabels(),
		},
		{
			name: "the old rotation is retried",
			fx: fixture{
				stages: map[string][]string{"v-cur": {"AWSCURRENT"}, "v-old": {"AWSPENDING"}},
				values: map[string]string{"v-cur": curValue, "v-old": oldPending},
			},
			token:      "v-old",
			wantLabels: map[string][]string{"v-old": {"AWSCURRENT", "AWSPENDING"}, "v-cur": {"AWSPREVIOUS"}},
			wantValue:  oldPending,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(c.fx)
			err := rotate(t, newHandler(f, nil), c.token)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("rotate = %v, want %v", err, c.wantErr)
			}
			if d := cmp.Diff(c.wantLabels, f.Labels()); d != "" {
				t.Fatalf("labels (-want +got):\n%s", d)
			}
			cur, _ := f.Value(f.holder("AWSCURRENT"))
			if c.wantValue != "" && cur != c.wantValue {
				t.Fatal("unexpected AWSCURRENT value")
			}
			if c.wantValue == "" && (cur == curValue || cur == oldPending) {
				t.Fatal("AWSCURRENT is not a fresh value")
			}
			if old, _ := f.Value("v-old"); old != oldPending {
				t.Fatal("the old pending version's value changed")
			}
		})
	}
}

func TestRotationTokenPassthrough(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rt   string
	}{
		{"present", rotTok},
		{"absent", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(baseFixture())
			h := newHandler(f, nil)
			for _, s := range steps {
				ev := event(t, s)
				ev.RotationToken = c.rt
				if err := h.Handle(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			accepting := 0
			for _, call := range f.Recorded() {
				fv := reflect.ValueOf(call.In).Elem().FieldByName("RotationToken")
				if !fv.IsValid() {
					continue
				}
				accepting++
				got, _ := fv.Interface().(*string)
				if c.rt == "" && got != nil {
					t.Errorf("%s: RotationToken set without one in the event", call.Op)
				}
				if c.rt != "" && aws.ToString(got) != c.rt {
					t.Errorf("%s: RotationToken %q, want %q", call.Op, aws.ToString(got), c.rt)
				}
			}
			if accepting == 0 {
				t.Fatal("no call accepted a RotationToken")
			}
		})
	}
}

// TestNoSecretInLogsOrErrors runs successful and failing invocations with
// one log sink and checks that no stored value or password appears in a
// log line or an error, and that log lines are JSON with only the
// expected fields.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	var errs []string
	var stores []*fakeSM
	record := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	// A full rotation, then re-runs of every step.
	f := newFake(baseFixture())
	stores = append(stores, f)
	h := newHandler(f, logs)
	record(rotate(t, h, tok))
	for _, s := range steps {
		record(rotate(t, h, tok, s))
	}
	// A failing test, a malformed pending value, a configuration check.
	f2 := newFake(baseFixture())
	stores = append(stores, f2)
	record(rotate(t, newHandler(f2, logs, rotator.WithStrategy(&failingTest{Strategy: strategy.NewGeneric("password", config.DefaultPasswordPolicy())})), tok))
	fx := baseFixture()
	fx.values[tok] = `{"password":"Bad-Pending-Value-xyz"}`
	f3 := newFake(fx)
	stores = append(stores, f3)
	record(rotate(t, newHandler(f3, logs), tok))
	f4 := newFake(baseFixture())
	stores = append(stores, f4)
	record(rotate(t, newHandler(f4, logs), tok, "test_secret"))
	// Guard failures and a crash.
	f5 := newFake(baseFixture())
	f5.fault = crashAt(4, true)
	stores = append(stores, f5)
	record(rotate(t, newHandler(f5, logs), tok))
	record(rotate(t, newHandler(f5, logs), "no-such-token"))
	record(newHandler(f5, logs).Handle(context.Background(), event(t, "unknown_step")))

	if len(errs) < 4 {
		t.Fatalf("only %d failures were exercised", len(errs))
	}
	var secrets []string
	for _, s := range stores {
		for _, v := range s.Values() {
			secrets = append(secrets, v, passwordOf(t, v))
		}
	}
	out := logs.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a secret value appears in the logs")
		}
		for _, e := range errs {
			if strings.Contains(e, s) {
				t.Errorf("a secret value appears in error %q", e)
			}
		}
	}
	allowed := map[string]bool{"time": true, "level": true, "msg": true, "step": true, "secret_arn": true, "secret_id": true,
		"token": true, "version_id": true, "current_version_id": true, "previous_version_id": true, "error": true}
	sc := bufio.NewScanner(strings.NewReader(out))
	lines := 0
	for sc.Scan() {
		lines++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		if m["msg"] != "rejected event" && (m["step"] == nil || m["secret_arn"] != testARN || m["token"] == nil) {
			t.Errorf("log line lacks step, secret_arn or token: %s", sc.Text())
		}
		for k := range m {
			if !allowed[k] {
				t.Errorf("log line has unexpected field %q", k)
			}
		}
	}
	if lines == 0 {
		t.Fatal("nothing was logged")
	}
}

func TestUnknownStrategyFailsEveryInvocation(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Strategy = "oracle"
	f := newFake(baseFixture())
	h := rotator.New(cfg, f, rotator.WithLogger(slog.New(slog.NewJSONHandler(&syncBuffer{}, nil))))
	if err := h.Handle(context.Background(), event(t, "create_secret")); err == nil || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("Handle = %v, want an unknown-strategy error", err)
	}
	if f.Writes() != 0 {
		t.Fatal("wrote with an unknown strategy")
	}
}

// BenchmarkFullRotation runs the four steps against the in-memory fake
// and reports the Secrets Manager calls per rotation.
func BenchmarkFullRotation(b *testing.B) {
	ctx := context.Background()
	evs := make([]events.SecretsManagerSecretRotationEvent, len(steps))
	for i, s := range steps {
		raw, err := os.ReadFile(filepath.Join("testdata", s+".json"))
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &evs[i]); err != nil {
			b.Fatal(err)
		}
	}
	calls := 0
	for b.Loop() {
		f := newFake(baseFixture())
		h := newHandler(f, nil)
		for _, ev := range evs {
			if err := h.Handle(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
		calls = len(f.Recorded())
	}
	b.ReportMetric(float64(calls), "sm-calls/rotation")
}
