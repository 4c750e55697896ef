package rotator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// serveJSON11 exposes f over Secrets Manager's awsJson1_1 wire protocol,
// so that the real SDK client (its serialisers and error mapping) talks
// to it.
func serveJSON11(t *testing.T, f *fakeSM) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		var out any
		var err error
		ctx := r.Context()
		decode := func(in any) bool {
			if e := json.Unmarshal(body, in); e != nil {
				http.Error(w, e.Error(), http.StatusBadRequest)
				return false
			}
			return true
		}
		switch op {
		case "DescribeSecret":
			in := &secretsmanager.DescribeSecretInput{}
			if !decode(in) {
				return
			}
			out, err = f.DescribeSecret(ctx, in)
		case "GetSecretValue":
			in := &secretsmanager.GetSecretValueInput{}
			if !decode(in) {
				return
			}
			out, err = f.GetSecretValue(ctx, in)
		case "PutSecretValue":
			in := &secretsmanager.PutSecretValueInput{}
			if !decode(in) {
				return
			}
			out, err = f.PutSecretValue(ctx, in)
		case "UpdateSecretVersionStage":
			in := &secretsmanager.UpdateSecretVersionStageInput{}
			if !decode(in) {
				return
			}
			out, err = f.UpdateSecretVersionStage(ctx, in)
		default:
			http.Error(w, "unknown operation "+op, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if err != nil {
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Errorf("fake returned a non-API error: %v", err)
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": ae.ErrorCode(), "message": ae.ErrorMessage()})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRotationThroughTheSDK runs a full rotation, a retry and the guard
// through the real aws-sdk-go-v2 client, checking that typed errors
// (ResourceNotFoundException for the empty AWSPENDING placeholder) and
// the RotationToken survive the wire.
func TestRotationThroughTheSDK(t *testing.T) {
	t.Parallel()
	f := newFake(baseFixture())
	srv := serveJSON11(t, f)
	client := secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   srv.Client(),
	})
	logs := &syncBuffer{}
	h := newHandlerWith(client, logs)
	for _, s := range steps {
		if err := h.Handle(context.Background(), event(t, s)); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if d := cmp.Diff(finalLabels(), f.Labels()); d != "" {
		t.Fatalf("labels (-want +got):\n%s", d)
	}
	checkPending(t, f, tok)
	for _, c := range f.Recorded() {
		if in, ok := c.In.(*secretsmanager.PutSecretValueInput); ok && aws.ToString(in.RotationToken) != rotTok {
			t.Fatalf("PutSecretValue RotationToken %q, want %q", aws.ToString(in.RotationToken), rotTok)
		}
	}
	if err := h.Handle(context.Background(), stepEvent(t, "create_secret", "no-such-token")); err == nil {
		t.Fatal("an unknown token was accepted")
	}
}
