package provider_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
)

// TestRotateTriggers_planSaysWhy plans at the protocol level, as Terraform
// does, a change of rotation.rotate_triggers on an imported rotated
// secret: the plan says rotates_on_apply = true and warns, naming the
// changed keys, that the apply rotates; the same triggers again plan no
// rotation and no warning.
func TestRotateTriggers_planSaysWhy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("sets up the secret on the emulator")
	}
	arn := rotatedSecretOnEmulator(t, env, acctest.RandomName())
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := providerserver.NewProtocol6WithError(provider.NewWithCodeSource("test", code)())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasError(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	const typeName = "rotator_rotated_secret"
	typ, ok := schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the resource schema is not an object")
	}
	conf, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.5.7", Config: emulatorProviderConfig(t, schemas.Provider, env),
	})
	if err != nil || hasError(conf.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}
	imp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: arn})
	if err != nil || hasError(imp.Diagnostics) || len(imp.ImportedResources) != 1 {
		t.Fatalf("ImportResourceState: %v %v", err, imp.Diagnostics)
	}
	read, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: typeName, CurrentState: imp.ImportedResources[0].State, Private: imp.ImportedResources[0].Private,
	})
	if err != nil || hasError(read.Diagnostics) {
		t.Fatalf("ReadResource: %v %v", err, read.Diagnostics)
	}
	prior, err := read.NewState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	withTriggers := func(kv map[string]string) *tfprotov6.DynamicValue {
		t.Helper()
		mapType := tftypes.Map{ElementType: tftypes.String}
		vals := map[string]tftypes.Value{}
		for k, v := range kv {
			vals[k] = tftypes.NewValue(tftypes.String, v)
		}
		triggers := tftypes.NewValue(mapType, vals)
		if kv == nil {
			triggers = tftypes.NewValue(mapType, nil)
		}
		v, err := tftypes.Transform(prior, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
			if p.Equal(tftypes.NewAttributePath().WithAttributeName("rotation").WithAttributeName("rotate_triggers")) {
				return triggers, nil
			}
			return v, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		dv, err := tfprotov6.NewDynamicValue(typ, v)
		if err != nil {
			t.Fatal(err)
		}
		return &dv
	}
	plan := func(kv map[string]string) (rotates tftypes.Value, warnings []*tfprotov6.Diagnostic) {
		t.Helper()
		proposed := withTriggers(kv)
		resp, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: typeName, PriorState: read.NewState, PriorPrivate: read.Private, ProposedNewState: proposed, Config: proposed,
		})
		if err != nil || hasError(resp.Diagnostics) {
			t.Fatalf("PlanResourceChange: %v %v", err, resp.Diagnostics)
		}
		planned, err := resp.PlannedState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := tftypes.WalkAttributePath(planned, tftypes.NewAttributePath().WithAttributeName("rotates_on_apply"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityWarning {
				warnings = append(warnings, d)
			}
		}
		v, ok := got.(tftypes.Value)
		if !ok {
			t.Fatalf("rotates_on_apply is %T", got)
		}
		return v, warnings
	}

	rotates, warnings := plan(nil)
	if !rotates.Equal(tftypes.NewValue(tftypes.Bool, false)) || len(warnings) != 0 {
		t.Errorf("unchanged (no) triggers: rotates_on_apply = %s, warnings %v; want false and none", rotates, warnings)
	}
	rotates, warnings = plan(map[string]string{"schema": "v2", "app": "1"})
	if !rotates.Equal(tftypes.NewValue(tftypes.Bool, true)) {
		t.Errorf("changed triggers: rotates_on_apply = %s, want true", rotates)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, "rotation.rotate_triggers changed (keys: app, schema)") {
		t.Fatalf("changed triggers: want one warning naming the keys, got %v", warnings)
	}
	if !warnings[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("rotation").WithAttributeName("rotate_triggers")) {
		t.Errorf("the warning is on %s, want rotation.rotate_triggers", warnings[0].Attribute)
	}
}
