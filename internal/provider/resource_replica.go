package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/provider/validators"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// resource_replica.go is the glue of the replica blocks: schema, the
// model ↔ stack.ReplicaSpec/stack.Replica, and what the plan knows of
// their computed status. A set of blocks: order never makes a diff, and
// Terraform matches each configured block to its prior state by region and
// kms_key_id (the non-computed attributes), which keeps status and
// status_message in a plan with nothing to do.

// replicaStatusInSync is the status after a successful apply.
const replicaStatusInSync = "InSync"

// replicaAttrTypes is one replica block's object type.
var replicaAttrTypes = map[string]attr.Type{
	"region":         types.StringType,
	"kms_key_id":     types.StringType,
	"status":         types.StringType,
	"status_message": types.StringType,
}

var replicaObjectType = types.ObjectType{AttrTypes: replicaAttrTypes}

func replicaBlock() schema.SetNestedBlock {
	return schema.SetNestedBlock{
		MarkdownDescription: "A read-only copy of the secret in another region (Secrets Manager replication), for applications " +
			"and disaster recovery there. Secrets Manager copies every version and staging label to each replica; rotation " +
			"runs only in the primary region (the provider's) and the new value reaches every replica. A replica cannot be " +
			"written or rotated on its own. Destroy removes the replicas first, then deletes the secret. A replica removed " +
			"outside Terraform is drift, repaired by the next apply; a failed replication is an error quoting Secrets Manager's message.",
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"region": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "Region of the replica. " + validators.ReplicaRegionRule,
				},
				"kms_key_id": schema.StringAttribute{
					Optional: true,
					MarkdownDescription: "KMS key that encrypts the replica (each region needs its own key). " + validators.ReplicaKeyRule +
						" Changing it removes the replica and replicates the secret to the region again " +
						"(Secrets Manager offers no key change for a replica from the primary region).",
				},
				"status": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "Replication status Secrets Manager reports: `InSync`, `InProgress` or `Failed`.",
				},
				"status_message": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "Secrets Manager's message about the replication status (why it failed, for `Failed`).",
				},
			},
		},
	}
}

// replicaModel is one replica block.
type replicaModel struct {
	Region        types.String `tfsdk:"region"`
	KMSKeyID      types.String `tfsdk:"kms_key_id"`
	Status        types.String `tfsdk:"status"`
	StatusMessage types.String `tfsdk:"status_message"`
}

// replicas are the blocks (none when the set is null or unknown).
func (m *rotatedSecretModel) replicas(ctx context.Context, diags *diag.Diagnostics) []replicaModel {
	if m.Replicas.IsNull() || m.Replicas.IsUnknown() {
		return nil
	}
	var out []replicaModel
	diags.Append(m.Replicas.ElementsAs(ctx, &out, false)...)
	return out
}

// replicaSpecs are the wanted replicas of known regions, sorted by region.
func (m *rotatedSecretModel) replicaSpecs(ctx context.Context, diags *diag.Diagnostics) []stack.ReplicaSpec {
	var out []stack.ReplicaSpec
	for _, r := range m.replicas(ctx, diags) {
		if r.Region.IsUnknown() || r.Region.IsNull() {
			continue
		}
		out = append(out, stack.ReplicaSpec{Region: r.Region.ValueString(), KMSKeyID: r.KMSKeyID.ValueString()})
	}
	slices.SortFunc(out, func(a, b stack.ReplicaSpec) int { return compareStrings(a.Region, b.Region) })
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// replicaChecks are the configured replicas for the plan-time checks (""
// for an unknown or unset value).
func (m *rotatedSecretModel) replicaChecks(ctx context.Context, diags *diag.Diagnostics) []validators.Replica {
	var out []validators.Replica
	for _, r := range m.replicas(ctx, diags) {
		out = append(out, validators.Replica{Region: r.Region.ValueString(), KMSKeyID: r.KMSKeyID.ValueString()})
	}
	return out
}

// observeReplicas sets the replica blocks from what DescribeSecret
// reported. kms_key_id keeps the model's value for a region while it names
// the same key (null and aws/secretsmanager are the same key), so neither
// an omitted key nor import makes a diff.
func (m *rotatedSecretModel) observeReplicas(seen []stack.Replica) {
	prior := map[string]types.String{}
	for _, r := range m.replicas(context.Background(), &diag.Diagnostics{}) {
		prior[r.Region.ValueString()] = r.KMSKeyID
	}
	vals := make([]attr.Value, 0, len(seen))
	for _, r := range seen {
		key := types.StringValue(r.KMSKeyID)
		p, ok := prior[r.Region]
		switch {
		case ok && stack.SameReplicaKey(p.ValueString(), r.KMSKeyID):
			key = p
		case stack.SameReplicaKey("", r.KMSKeyID):
			key = types.StringNull()
		}
		vals = append(vals, types.ObjectValueMust(replicaAttrTypes, map[string]attr.Value{
			"region": types.StringValue(r.Region), "kms_key_id": key,
			"status": types.StringValue(r.Status), "status_message": types.StringValue(r.StatusMessage),
		}))
	}
	m.Replicas = types.SetValueMust(replicaObjectType, vals)
}

// planReplicas leaves status and status_message known only for a replica
// already in sync: every other one (new, re-added with a new key, failed
// or in progress) is in sync after a successful apply, with a message
// only Secrets Manager knows.
func (m *rotatedSecretModel) planReplicas(ctx context.Context, diags *diag.Diagnostics) {
	if m.Replicas.IsNull() || m.Replicas.IsUnknown() {
		return
	}
	rs := m.replicas(ctx, diags)
	vals := make([]attr.Value, 0, len(rs))
	for _, r := range rs {
		status, msg := r.Status, r.StatusMessage
		if status.IsUnknown() || status.ValueString() != replicaStatusInSync {
			status, msg = types.StringUnknown(), types.StringUnknown()
		}
		vals = append(vals, types.ObjectValueMust(replicaAttrTypes, map[string]attr.Value{
			"region": r.Region, "kms_key_id": r.KMSKeyID, "status": status, "status_message": msg,
		}))
	}
	m.Replicas = types.SetValueMust(replicaObjectType, vals)
}
