package awsemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
)

// TestThrottlerBuckets: a quota lets a second's worth of requests through
// at once, then one more per 1/rate seconds of emulator clock.
func TestThrottlerBuckets(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		q     *quota
		at    []time.Duration // request times after t0
		allow []bool
	}{
		{"Lambda control plane, 15/s: the 16th request in a second is throttled", qLambdaCtl,
			append(repeat(0, 15), 0, 67*time.Millisecond),
			append(repeatBool(true, 15), false, true)},
		{"CreateLogGroup, 5/s: a full second refills the bucket", qLogsGroup,
			append(repeat(0, 6), time.Second, time.Second),
			append(repeatBool(true, 5), false, true, true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var th throttler
			var got []bool
			for _, d := range tt.at {
				got = append(got, th.allow(tt.q, t0.Add(d)))
			}
			if diff := cmp.Diff(tt.allow, got); diff != "" {
				t.Errorf("allowed (-want +got):\n%s", diff)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func repeatBool(b bool, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestThrottleAtQuotas: with ThrottleAtQuotas, a burst of Lambda control
// plane calls above 15 per second answers TooManyRequestsException (HTTP
// 429, "Rate exceeded") as Lambda does, and the SDK's standard retryer,
// which backs off, gets every call through.
func TestThrottleAtQuotas(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{ThrottleAtQuotas: true})
	ctx := context.Background()
	throttled := 0
	for i := range 40 {
		_, err := c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		if err == nil {
			continue
		}
		var tm *lambdatypes.TooManyRequestsException
		if emuErrCode(err) != "TooManyRequestsException" || emuErrMessage(err) != "Rate exceeded" || !errors.As(err, &tm) {
			t.Fatalf("call %d: %v, want TooManyRequestsException Rate exceeded", i, err)
		}
		throttled++
	}
	if throttled == 0 {
		t.Errorf("40 ListFunctions calls in a row were never throttled at 15 per second")
	}
	// The SDK's standard retryer (3 attempts, backoff) survives a burst.
	retrying := lambda.NewFromConfig(aws.Config{Region: c.srv.Region(), Credentials: emuTestConfig(c.srv, "test", "test", "").Credentials,
		BaseEndpoint: aws.String(c.srv.URL())}, func(o *lambda.Options) { o.RetryMaxAttempts = 10 })
	for i := range 20 {
		if _, err := retrying.ListFunctions(ctx, &lambda.ListFunctionsInput{}); err != nil {
			t.Fatalf("call %d with the SDK retryer: %v", i, err)
		}
	}
}
