package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func replicaSet(t *testing.T, rs ...replicaModel) types.Set {
	t.Helper()
	var vals []attr.Value
	for _, r := range rs {
		vals = append(vals, types.ObjectValueMust(replicaAttrTypes, map[string]attr.Value{
			"region": r.Region, "kms_key_id": r.KMSKeyID, "status": r.Status, "status_message": r.StatusMessage,
		}))
	}
	return types.SetValueMust(replicaObjectType, vals)
}

// TestObserveReplicas: the state's kms_key_id stays as configured while
// AWS reports the same key, so neither an omitted key nor a refresh makes
// a diff; a key changed outside Terraform shows AWS's key.
func TestObserveReplicas(t *testing.T) {
	t.Parallel()
	const keyA, keyB = "arn:aws:kms:eu-west-1:123456789012:key/a", "arn:aws:kms:eu-west-1:123456789012:key/b"
	s, n := types.StringValue, types.StringNull()
	tests := []struct {
		name  string
		prior []replicaModel
		seen  []stack.Replica
		want  []replicaModel
	}{
		{"omitted key stays null", []replicaModel{{Region: s("eu-west-1"), KMSKeyID: n}},
			[]stack.Replica{{Region: "eu-west-1", KMSKeyID: "alias/aws/secretsmanager", Status: "InSync"}},
			[]replicaModel{{Region: s("eu-west-1"), KMSKeyID: n, Status: s("InSync"), StatusMessage: s("")}}},
		{"import: default key is null", nil,
			[]stack.Replica{{Region: "eu-west-1", KMSKeyID: "alias/aws/secretsmanager", Status: "InSync"}},
			[]replicaModel{{Region: s("eu-west-1"), KMSKeyID: n, Status: s("InSync"), StatusMessage: s("")}}},
		{"configured key kept", []replicaModel{{Region: s("eu-west-1"), KMSKeyID: s(keyA)}},
			[]stack.Replica{{Region: "eu-west-1", KMSKeyID: keyA, Status: "InSync"}},
			[]replicaModel{{Region: s("eu-west-1"), KMSKeyID: s(keyA), Status: s("InSync"), StatusMessage: s("")}}},
		{"key changed outside Terraform", []replicaModel{{Region: s("eu-west-1"), KMSKeyID: s(keyA)}},
			[]stack.Replica{{Region: "eu-west-1", KMSKeyID: keyB, Status: "Failed", StatusMessage: "why"}},
			[]replicaModel{{Region: s("eu-west-1"), KMSKeyID: s(keyB), Status: s("Failed"), StatusMessage: s("why")}}},
		{"replica removed outside Terraform", []replicaModel{{Region: s("eu-west-1"), KMSKeyID: n}}, nil, []replicaModel{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &rotatedSecretModel{Replicas: replicaSet(t, tt.prior...)}
			m.observeReplicas(tt.seen)
			var diags diag.Diagnostics
			got := m.replicas(context.Background(), &diags)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("replica blocks (-want +got):\n%s", diff)
			}
		})
	}
}
