package awsemu

// admin_client.go is a small client for the emulator's admin endpoints
// (/_emu/...). The provider's tests, the demo and the benchmarks use it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Fault makes the next Count calls of Service:Operation fail with Code.
type Fault struct {
	Service   string `json:"service"`             // signing name: secretsmanager, lambda, iam, ...
	Operation string `json:"operation,omitempty"` // e.g. "CreateFunction"; empty or "*" = every operation
	Count     int    `json:"count,omitempty"`     // default 1; -1 = every call until cleared
	Code      string `json:"code,omitempty"`      // default ThrottlingException (InternalFailure when Status >= 500)
	Status    int    `json:"status,omitempty"`    // default 400 (500 for InternalFailure-like codes)
	Message   string `json:"message,omitempty"`
}

// RotationResult is one rotation run by a clock advance.
type RotationResult struct {
	SecretARN string `json:"secret_arn"`
	OK        bool   `json:"ok"`
	// Error says which step failed and why; it never contains a secret value.
	Error string `json:"error,omitempty"`
}

// RotationRecord is one finished rotation (GET /_emu/rotations), whether
// RotateSecret or a clock advance started it.
type RotationRecord struct {
	RotationResult
	VersionID string    `json:"version_id"` // the rotation's ClientRequestToken
	Steps     []string  `json:"steps"`      // the steps of the last attempt, in order
	Finished  time.Time `json:"finished"`   // emulator clock
	// Attempts are the tries, in order: Secrets Manager runs a failing
	// rotation again, whole, up to SecretsManagerOptions.RotationAttempts
	// times. The last one's Error (if any) is the rotation's Error.
	Attempts []RotationAttempt `json:"attempts"`
}

// AdvanceResult is the answer of POST /_emu/clock/advance.
type AdvanceResult struct {
	Now       time.Time        `json:"now"`
	Rotations []RotationResult `json:"rotations"`
	// PurgedSecrets are the ARNs of secrets whose recovery window ended.
	PurgedSecrets []string `json:"purged_secrets,omitempty"`
	// PurgedKeys are the ARNs of KMS keys whose pending deletion ended.
	PurgedKeys []string `json:"purged_keys,omitempty"`
}

// AdminClient talks to the admin endpoints of an emulator.
type AdminClient struct {
	base string
	http *http.Client
}

// NewAdminClient returns a client for the emulator at baseURL
// (e.g. "http://127.0.0.1:4566").
func NewAdminClient(baseURL string) *AdminClient {
	return &AdminClient{base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{Timeout: 10 * time.Minute}}
}

func (c *AdminClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("awsemu admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return fmt.Errorf("awsemu admin %s %s: HTTP %d: %s", method, path, resp.StatusCode, e.Error)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("awsemu admin %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// AdminClient returns a client for this server's admin endpoints.
func (s *Server) AdminClient() *AdminClient { return NewAdminClient(s.URL()) }

// Health returns nil when the emulator answers.
func (c *AdminClient) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/_emu/health", nil, nil)
}

// Now returns the emulator clock.
func (c *AdminClient) Now(ctx context.Context) (time.Time, error) {
	var out struct {
		Now time.Time `json:"now"`
	}
	err := c.do(ctx, http.MethodGet, "/_emu/clock", nil, &out)
	return out.Now, err
}

// AdvanceClock moves the emulator clock forward by d, then runs the
// scheduled rotations that became due and purges expired deletions.
func (c *AdminClient) AdvanceClock(ctx context.Context, d time.Duration) (AdvanceResult, error) {
	var out AdvanceResult
	err := c.do(ctx, http.MethodPost, "/_emu/clock/advance", map[string]string{"duration": d.String()}, &out)
	return out, err
}

// Rotations returns every rotation run so far, oldest first. RotateSecret
// answers 200 even when a step fails (AWS rotates asynchronously); this
// says how each rotation ended.
func (c *AdminClient) Rotations(ctx context.Context) ([]RotationRecord, error) {
	var out []RotationRecord
	err := c.do(ctx, http.MethodGet, "/_emu/rotations", nil, &out)
	return out, err
}

// Calls returns the request counts per "service:Operation".
func (c *AdminClient) Calls(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := c.do(ctx, http.MethodGet, "/_emu/calls", nil, &out)
	return out, err
}

// ResetCalls zeroes the request counts.
func (c *AdminClient) ResetCalls(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_emu/calls/reset", nil, nil)
}

// InjectFault makes the next f.Count calls of an operation fail.
func (c *AdminClient) InjectFault(ctx context.Context, f Fault) error {
	return c.do(ctx, http.MethodPost, "/_emu/faults", f, nil)
}

// ClearFaults removes every injected fault.
func (c *AdminClient) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_emu/faults", nil, nil)
}

// SetIAMPropagationDelay sets how long a new or changed role stays not
// assumable by Lambda.
func (c *AdminClient) SetIAMPropagationDelay(ctx context.Context, d time.Duration) error {
	return c.do(ctx, http.MethodPost, "/_emu/iam/propagation-delay", map[string]string{"delay": d.String()}, nil)
}

// WaitRotation polls GET /_emu/rotations until the rotation of versionID
// (its ClientRequestToken) has ended, and returns its record. Rotations
// run in the background after RotateSecret answers; ctx bounds the wait.
func (c *AdminClient) WaitRotation(ctx context.Context, versionID string) (RotationRecord, error) {
	for {
		recs, err := c.Rotations(ctx)
		if err != nil {
			return RotationRecord{}, err
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].VersionID == versionID {
				return recs[i], nil
			}
		}
		select {
		case <-ctx.Done():
			return RotationRecord{}, fmt.Errorf("rotation of version %s has not ended: %w", versionID, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// SetSecretsManagerOptions changes Secrets Manager's asynchronous
// behaviour for what starts from now on (POST /_emu/secretsmanager/options).
func (c *AdminClient) SetSecretsManagerOptions(ctx context.Context, o SecretsManagerOptions) error {
	return c.do(ctx, http.MethodPost, "/_emu/secretsmanager/options", o, nil)
}
