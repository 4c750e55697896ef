package awsemu

// emutest_helpers_test.go starts in-process emulators and builds SDK
// clients for the core, Secrets Manager, KMS and STS tests.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// emuTestServer starts an emulator that is closed with the test.
func emuTestServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// emuTestConfig is an SDK config for srv with static credentials and no
// retries (so injected faults surface at once).
func emuTestConfig(srv *Server, akid, secret, token string) aws.Config {
	return aws.Config{
		Region:       srv.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(akid, secret, token),
		BaseEndpoint: aws.String(srv.URL()),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// emuTestClients are SDK clients for one emulator.
type emuTestClients struct {
	srv *Server
	sm  *secretsmanager.Client
	kms *kms.Client
	sts *sts.Client
	iam *iam.Client
}

func emuTestClientsFor(srv *Server, cfg aws.Config) *emuTestClients {
	return &emuTestClients{
		srv: srv,
		sm:  secretsmanager.NewFromConfig(cfg),
		kms: kms.NewFromConfig(cfg),
		sts: sts.NewFromConfig(cfg),
		iam: iam.NewFromConfig(cfg),
	}
}

// emuTestAdmin starts an emulator and returns administrator clients.
func emuTestAdmin(t *testing.T) *emuTestClients {
	t.Helper()
	srv := emuTestServer(t, Options{})
	return emuTestClientsFor(srv, emuTestConfig(srv, "test", "test", ""))
}

// emuErrCode returns the API error code of err ("" for nil).
func emuErrCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}

// emuErrMessage returns the API error message of err ("" for nil).
func emuErrMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// emuStages returns VersionIdsToStages with version IDs replaced by the
// names in ids (unknown IDs are kept as they are).
func emuStages(t *testing.T, c *emuTestClients, secret string, ids map[string]string) map[string][]string {
	t.Helper()
	d, err := c.sm.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secret)})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	out := map[string][]string{}
	for id, st := range d.VersionIdsToStages {
		if n, ok := ids[id]; ok {
			id = n
		}
		out[id] = st
	}
	return out
}

// emuToken returns a valid ClientRequestToken derived from a short name.
func emuToken(name string) string {
	return fmt.Sprintf("%s-%s", name, strings.Repeat("0", 36-len(name)-1))
}

// fakeRotationFunction is a FunctionRuntime that behaves like a well-written
// rotation function for a plain secret, through a Secrets Manager client.
// It records the steps it ran and can be told to fail one.
type fakeRotationFunction struct {
	sm *secretsmanager.Client

	mu           sync.Mutex
	steps        []string
	events       []smRotationEvent
	failStep     string        // this step returns a function error
	failTimes    int           // when > 0, failStep fails only this many more times
	gate         chan struct{} // when set, createSecret waits until it is closed
	denyInvoke   bool          // CheckInvokePermission fails
	skipFinish   bool          // finishSecret succeeds without moving AWSCURRENT
	pendingProbe error         // GetSecretValue(token, AWSPENDING) at the start of createSecret
	permissions  []string
}

var _ FunctionRuntime = (*fakeRotationFunction)(nil)

func (f *fakeRotationFunction) CheckInvokePermission(fn, principal, account, sourceArn string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.permissions = append(f.permissions, principal+" "+account+" "+sourceArn)
	if f.denyInvoke {
		return &APIError{Code: "AccessDeniedException", Message: "denied", HTTPStatus: 403}
	}
	return nil
}

func (f *fakeRotationFunction) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, string, error) {
	var ev smRotationEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	f.steps = append(f.steps, ev.Step)
	f.events = append(f.events, ev)
	fail, skipFinish, gate := f.failStep == ev.Step, f.skipFinish, f.gate
	if fail && f.failTimes > 0 {
		f.failTimes--
		if f.failTimes == 0 {
			f.failStep = ""
		}
	}
	f.mu.Unlock()
	if gate != nil && ev.Step == "createSecret" {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, "", ctx.Err()
		}
	}
	if fail {
		return []byte(`{"errorMessage":"step failed on purpose","errorType":"TestError"}`), "Unhandled", nil
	}
	fnErr := func(err error) ([]byte, string, error) {
		b, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "SDKError"})
		return b, "Unhandled", nil
	}
	switch ev.Step {
	case "createSecret":
		_, probe := f.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(ev.SecretID), VersionId: aws.String(ev.ClientRequestToken), VersionStage: aws.String(smPending)})
		f.mu.Lock()
		f.pendingProbe = probe
		f.mu.Unlock()
		if probe == nil {
			return []byte("null"), "", nil
		}
		if _, err := f.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(ev.SecretID), ClientRequestToken: aws.String(ev.ClientRequestToken),
			SecretString: aws.String("rotated-" + ev.ClientRequestToken), VersionStages: []string{smPending},
			RotationToken: aws.String(ev.RotationToken),
		}); err != nil {
			return fnErr(err)
		}
	case "finishSecret":
		if skipFinish {
			return []byte("null"), "", nil
		}
		d, err := f.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
		if err != nil {
			return fnErr(err)
		}
		cur := ""
		for id, st := range d.VersionIdsToStages {
			for _, s := range st {
				if s == smCurrent {
					cur = id
				}
			}
		}
		if cur == ev.ClientRequestToken {
			return []byte("null"), "", nil
		}
		if _, err := f.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(ev.SecretID), VersionStage: aws.String(smCurrent),
			MoveToVersionId: aws.String(ev.ClientRequestToken), RemoveFromVersionId: aws.String(cur),
		}); err != nil {
			return fnErr(err)
		}
	}
	return []byte("null"), "", nil
}

func (f *fakeRotationFunction) recordedEvents() []smRotationEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]smRotationEvent(nil), f.events...)
}

func (f *fakeRotationFunction) probe() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pendingProbe
}

func (f *fakeRotationFunction) set(fn func(f *fakeRotationFunction)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeRotationFunction) ranSteps() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.steps...)
}

// emuTestRotation starts an emulator whose Secrets Manager invokes a fake
// rotation function instead of Lambda.
func emuTestRotation(t *testing.T) (*emuTestClients, *fakeRotationFunction) {
	t.Helper()
	c := emuTestAdmin(t)
	f := &fakeRotationFunction{sm: c.sm}
	c.srv.sm.mu.Lock()
	c.srv.sm.runtime = f
	c.srv.sm.mu.Unlock()
	return c, f
}

// emuCreateSecret creates a secret with a value and returns its ARN and
// first version ID.
func emuCreateSecret(t *testing.T, c *emuTestClients, name, value string) (string, string) {
	t.Helper()
	out, err := c.sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatalf("CreateSecret %s: %v", name, err)
	}
	return aws.ToString(out.ARN), aws.ToString(out.VersionId)
}
