package provider

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type payloadKey struct{}

// TestReleasingContext: inside the RPC the context is the request's
// (values, deadline, cancellation reach contexts derived from it); once
// the RPC returned, whatever kept it sees a canceled context that holds
// none of the request's values.
func TestReleasingContext(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), payloadKey{}, "request data"), deadline)
	var kept context.Context
	_, _ = released(parent, 0, func(ctx context.Context, _ int) (int, error) {
		if v := ctx.Value(payloadKey{}); v != "request data" {
			t.Errorf("inside the RPC: Value = %v, want the request's", v)
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("inside the RPC: Deadline = %v, %v; want %v", d, ok, deadline)
		}
		derived, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		select {
		case <-derived.Done():
		default:
			t.Error("canceling the request did not cancel a context derived inside the RPC")
		}
		kept = ctx
		return 0, nil
	})
	if v := kept.Value(payloadKey{}); v != nil {
		t.Errorf("after the RPC: Value = %v, want nil (the request is let go)", v)
	}
	if !errors.Is(kept.Err(), context.Canceled) {
		t.Errorf("after the RPC: Err = %v, want context.Canceled", kept.Err())
	}
	if _, ok := kept.Deadline(); ok {
		t.Error("after the RPC: a deadline is still set")
	}
	select {
	case <-kept.Done():
	default:
		t.Error("after the RPC: Done is not closed")
	}
}

// TestServerLetsGoOfRequests drives the framework's server the way
// Terraform does, one ValidateResourceConfig after another, with a request
// context holding a 64 KB value, and checks how many of those values the
// garbage collector can free once the RPCs returned. The framework alone
// keeps every one (proto6server registerContext, until StopProvider); the
// server main.go serves must keep none.
func TestServerLetsGoOfRequests(t *testing.T) {
	const rpcs = 200
	run := func(server tfprotov6.ProviderServer) int64 {
		var freed atomic.Int64
		for range rpcs {
			payload := make([]byte, 64<<10)
			runtime.SetFinalizer(&payload[0], func(*byte) { freed.Add(1) })
			ctx := context.WithValue(context.Background(), payloadKey{}, payload)
			if _, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "rotator_rotated_secret"}); err != nil {
				t.Fatal(err)
			}
		}
		// Finalizers run after the collection that finds the object
		// unreachable; a few collections leave them time to run.
		for i := 0; i < 10 && freed.Load() < rpcs; i++ {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		runtime.KeepAlive(server) // a provider serves for the whole command
		return freed.Load()
	}
	framework := run(providerserver.NewProtocol6(New("test")())())
	ours := run(NewProtocol6Server(New("test")())())
	t.Logf("request contexts freed after %d RPCs: framework server %d, ours %d", rpcs, framework, ours)
	if ours != rpcs {
		t.Errorf("the provider's server let go of %d of %d request contexts; want all", ours, rpcs)
	}
}

// TestServerKeepsOptionalRPCs: tf6server finds actions, list resources and
// state stores by interface; the releasing server must still answer them
// (the provider has the rotator_rotate action).
func TestServerKeepsOptionalRPCs(t *testing.T) {
	t.Parallel()
	s := NewProtocol6Server(New("test")())()
	if _, ok := s.(tfprotov6.ProviderServerWithActions); !ok { //nolint:staticcheck // what tf6server v0.31 asserts
		t.Error("the served provider no longer answers action RPCs")
	}
	if _, ok := s.(tfprotov6.ProviderServerWithListResource); !ok { //nolint:staticcheck // what tf6server v0.31 asserts
		t.Error("the served provider no longer answers list-resource RPCs")
	}
	if _, ok := s.(releasingServer); !ok {
		t.Errorf("the served provider is a %T, not the releasing server", s)
	}
}
