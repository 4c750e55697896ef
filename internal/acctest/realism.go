package acctest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// AdvanceClockWhen moves the emulator clock by d once call
// ("service:Operation") has been made at least n times, so a test can
// prove the caller retried through a long emulator delay (IAM
// propagation) and then end the delay without waiting for it: the
// outcome does not depend on the machine's speed. It does nothing on
// real AWS.
func (e *Env) AdvanceClockWhen(t *testing.T, call string, n int, d time.Duration) {
	t.Helper()
	if e.Server == nil {
		return
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if e.Server.Calls()[call] >= n {
				e.Server.AdvanceClock(context.Background(), d)
				return
			}
		}
	}()
	t.Cleanup(func() { close(done); wg.Wait() })
}

// KeepFunctionsWarm turns off the emulator's Inactive Lambda state (a
// function idle for 14 days fails its next invocation once). Tests that
// move the clock past a whole rotation interval and expect that one
// scheduled rotation to succeed call it: on AWS, Secrets Manager retries a
// rotation whose invocation met an Inactive function, and until the
// emulator's Secrets Manager retries failed rotations too (issue 8, the
// asynchronous-rotation half) the only scheduled attempt would fail where
// AWS's retry succeeds. awsemu's TestLambdaInactive covers the state.
func (e *Env) KeepFunctionsWarm() {
	if e.Server != nil {
		e.Server.SetLambdaTiming(awsemu.LambdaTiming{InactiveAfter: -1})
	}
}

// SettleIAM moves the emulator clock past the IAM propagation delay, so
// roles and policies a test set up beforehand (as a user would, long
// before running Terraform) are in effect. It does nothing on real AWS.
func (e *Env) SettleIAM(ctx context.Context) {
	if e.Server != nil {
		e.Server.AdvanceClock(ctx, e.Server.IAMPropagationDelay())
	}
}
