package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestReadDeleteStopAfterSpecErrors: when the state cannot be turned into
// a spec, Read and Delete report it and make no AWS call at all (a Delete
// working from half a spec could delete the wrong children; a Read could
// report drift against a configuration that was never there).
//
// No configuration reaches this through Terraform: spec() fails only when
// a collection (tags, subnet_ids, security_group_ids) holds a null or
// unknown element; Terraform never stores unknowns, and a null element in
// the configuration is refused at validation (NoNullValues; before, it
// reached spec() at plan time and failed with the framework's "always an
// error in the provider" message: TestAccRotatedSecret_validation). A state
// edited by hand (`terraform state push`) or a future state upgrade can
// still hold one, so the guard is tested here, at the resource, with AWS
// clients whose every call is counted.
func TestReadDeleteStopAfterSpecErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no AWS call expected", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	pd := &providerData{
		stack:     stack.New(stack.NewSDKClients(cfg, stack.AllEndpoints(srv.URL)).Stack(), nil),
		region:    "us-east-1",
		account:   "123456789012",
		partition: "aws",
	}
	r := &rotatedSecretResource{pd: pd}
	var schemaResp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &schemaResp)

	nullTag := types.MapValueMust(types.StringType, map[string]attr.Value{"env": types.StringNull()})
	nullSubnet := types.SetValueMust(types.StringType, []attr.Value{types.StringNull()})
	tests := []struct {
		name   string
		edit   func(*rotatedSecretModel)
		wantIn string
	}{
		{"null tag value", func(m *rotatedSecretModel) { m.Tags = nullTag }, "null"},
		{"null subnet id", func(m *rotatedSecretModel) {
			m.Function = &functionModel{SubnetIDs: nullSubnet, SecurityGroupIDs: types.SetNull(types.StringType)}
		}, "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := rotatedSecretModel{
				ID: types.StringValue("arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"), ARN: types.StringValue("arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf"),
				Name: types.StringValue("app"), Tags: types.MapNull(types.StringType), TagsAll: types.MapNull(types.StringType),
				Drift: types.ListNull(types.StringType), Replicas: types.SetNull(replicaObjectType),
			}
			tc.edit(&m)
			state := tfsdk.State{Schema: schemaResp.Schema}
			if d := state.Set(ctx, &m); d.HasError() {
				t.Fatalf("building the state: %v", d)
			}
			before := calls.Load()

			read := resource.ReadResponse{State: state}
			r.Read(ctx, resource.ReadRequest{State: state}, &read)
			del := resource.DeleteResponse{State: state}
			r.Delete(ctx, resource.DeleteRequest{State: state}, &del)

			for op, d := range map[string]diag.Diagnostics{"Read": read.Diagnostics, "Delete": del.Diagnostics} {
				if !d.HasError() || !strings.Contains(strings.ToLower(diagText(d)), tc.wantIn) {
					t.Errorf("%s diagnostics = %v; want an error about the %s element", op, d, tc.wantIn)
				}
			}
			if n := calls.Load() - before; n != 0 {
				t.Errorf("Read and Delete made %d AWS calls after the spec failed; want 0", n)
			}
		})
	}
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
