package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server is providerserver.NewProtocol6 for p, with the
// per-resource RPCs given a context that lets go of the request once the
// RPC returns.
//
// Why: terraform-plugin-framework (v1.19, proto6server registerContext)
// keeps the cancel function of every RPC's context until StopProvider,
// which Terraform sends only on an interrupt. Each kept function holds the
// whole request context: the tflog loggers and their options, the gRPC
// stream, our SDK logging subsystem, about 28 KB. `make bench` measured the
// idle provider after a 1000-secret plan holding 36 MB instead of 8, and
// apply's peak RSS at 500 secrets growing to 150 MB (2.2× the 1-secret
// run). With the releasing context, what the framework keeps is an empty
// shell of ~200 bytes per RPC.
func NewProtocol6Server(p provider.Provider) func() tfprotov6.ProviderServer {
	server := providerserver.NewProtocol6(p)
	return func() tfprotov6.ProviderServer {
		s := server()
		if full, ok := s.(frameworkServer); ok {
			return releasingServer{full}
		}
		return s
	}
}

// frameworkServer is every RPC the framework's server answers: tf6server
// finds actions, list resources and state stores by these interfaces, so
// the wrapper must keep them.
type frameworkServer interface {
	tfprotov6.ProviderServerWithActions      //nolint:staticcheck // tf6server v0.31 still finds these RPCs by this interface
	tfprotov6.ProviderServerWithListResource //nolint:staticcheck // tf6server v0.31 still finds these RPCs by this interface
	tfprotov6.ProviderServerWithStateStores  //nolint:staticcheck // tf6server v0.31 still finds these RPCs by this interface
}

var _ frameworkServer = releasingServer{}

// releasingServer passes each per-resource RPC a releasingContext. RPCs
// that run once per command (schemas, provider configuration, Stop) and the
// streaming ones (whose stream outlives the call) pass through unchanged.
type releasingServer struct {
	frameworkServer
}

// released runs rpc with a context that delegates to ctx until rpc returns,
// then behaves as a canceled context with no values.
func released[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := &releasingContext{}
	rc.parent.Store(&ctx)
	defer rc.parent.Store(nil)
	return rpc(rc, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return released(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return released(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return released(ctx, req, s.frameworkServer.MoveResourceState)
}

func (s releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateEphemeralResourceConfig)
}

func (s releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.OpenEphemeralResource)
}

func (s releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.RenewEphemeralResource)
}

func (s releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return released(ctx, req, s.frameworkServer.CloseEphemeralResource)
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return released(ctx, req, s.frameworkServer.ValidateActionConfig)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return released(ctx, req, s.frameworkServer.PlanAction)
}

// releasingContext is its parent until released, then a canceled context
// with no values and no deadline, which holds nothing of the request.
type releasingContext struct {
	parent atomic.Pointer[context.Context]
}

// releasedDone is the (closed) Done channel of every released context.
var releasedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (c *releasingContext) Deadline() (time.Time, bool) {
	if p := c.parent.Load(); p != nil {
		return (*p).Deadline()
	}
	return time.Time{}, false
}

// Done is the parent's channel while attached, so that context.WithCancel
// on this context registers with the parent's cancellation directly (no
// goroutine per child).
func (c *releasingContext) Done() <-chan struct{} {
	if p := c.parent.Load(); p != nil {
		return (*p).Done()
	}
	return releasedDone
}

func (c *releasingContext) Err() error {
	if p := c.parent.Load(); p != nil {
		return (*p).Err()
	}
	return context.Canceled
}

func (c *releasingContext) Value(key any) any {
	if p := c.parent.Load(); p != nil {
		return (*p).Value(key)
	}
	return nil
}
