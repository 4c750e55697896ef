package acctest

import (
	"context"
	"sync"
	"testing"
	"time"
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
