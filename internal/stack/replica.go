package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// replica.go is the secret's replicas in other regions: Secrets Manager
// keeps them as part of the primary secret (ReplicationStatus of
// DescribeSecret), copies every version and label to them, and rotation
// runs only in the primary's region. A replica is added by CreateSecret
// (AddReplicaRegions) or ReplicateSecretToRegions and removed by
// RemoveRegionsFromReplication; a replica's KMS key is changed by removing
// the region and adding it again with the new key (the stack never calls
// the replica region itself, which would need clients per region).

// ReplicaSpec is one wanted replica.
type ReplicaSpec struct {
	Region string
	// KMSKeyID is a key of the replica's region; "" is that region's
	// aws/secretsmanager key.
	KMSKeyID string
}

// Replica is one replica as DescribeSecret of the primary reports it.
type Replica struct {
	Region        string
	KMSKeyID      string
	Status        string // InSync, InProgress or Failed
	StatusMessage string
}

// Replication statuses of ReplicationStatusType.
const (
	replicaInSync     = string(smtypes.StatusTypeInSync)
	replicaInProgress = string(smtypes.StatusTypeInProgress)
	replicaFailed     = string(smtypes.StatusTypeFailed)
)

// ReplicaFailedError says Secrets Manager could not replicate the secret
// to a region; Message is AWS's StatusMessage.
type ReplicaFailedError struct {
	SecretARN string
	Region    string
	Message   string
}

func (e *ReplicaFailedError) Error() string {
	return fmt.Sprintf("replicating secret %s to %s failed: %s", e.SecretARN, e.Region, e.Message)
}

// errReplicationInProgress makes retryWhile poll until no replica is
// InProgress.
var errReplicationInProgress = errors.New("replication in progress")

// Replicas are the secret's replicas from its DescribeSecret output.
func Replicas(sec *secretsmanager.DescribeSecretOutput) []Replica {
	out := make([]Replica, 0, len(sec.ReplicationStatus))
	for _, r := range sec.ReplicationStatus {
		out = append(out, Replica{Region: aws.ToString(r.Region), KMSKeyID: aws.ToString(r.KmsKeyId),
			Status: string(r.Status), StatusMessage: aws.ToString(r.StatusMessage)})
	}
	return out
}

// SameReplicaKey reports whether a replica's key is the wanted one ("" and
// alias/aws/secretsmanager are the same key). Keys of other regions cannot
// be resolved with the primary region's KMS client, so they are compared as
// written: give key ARNs to avoid needless re-replication.
func SameReplicaKey(want, have string) bool {
	norm := func(k string) string {
		if k == "" {
			return awsManagedKey
		}
		return k
	}
	return norm(want) == norm(have)
}

// replicaDiff is one difference between the wanted replicas and the
// secret's: its drift kind, the region, and the wanted replica (nil for a
// region added outside Terraform) and the observed one (nil when missing).
type replicaDiff struct {
	kind DriftKind
	want *ReplicaSpec
	have *Replica
}

// compareReplicas is the one comparison of want with have that both the
// repair (replicaChanges) and the drift report (replicaDrift) derive from.
func compareReplicas(want []ReplicaSpec, have []Replica) []replicaDiff {
	seen := map[string]*Replica{}
	for i := range have {
		seen[have[i].Region] = &have[i]
	}
	wanted := map[string]bool{}
	var out []replicaDiff
	for i := range want {
		w := &want[i]
		wanted[w.Region] = true
		r := seen[w.Region]
		switch {
		case r == nil:
			out = append(out, replicaDiff{kind: DriftReplicaMissing, want: w})
		case r.Status == replicaFailed:
			out = append(out, replicaDiff{kind: DriftReplicaFailed, want: w, have: r})
		case !SameReplicaKey(w.KMSKeyID, r.KMSKeyID):
			out = append(out, replicaDiff{kind: DriftReplicaKMSKey, want: w, have: r})
		}
	}
	for i := range have {
		if !wanted[have[i].Region] {
			out = append(out, replicaDiff{kind: DriftReplicaUnexpected, have: &have[i]})
		}
	}
	return out
}

// replicaChanges are the regions to remove and the replicas to add so that
// the secret's replicas become want: unwanted regions go, a region whose
// key changed or whose replication failed is removed and added again.
func replicaChanges(want []ReplicaSpec, have []Replica) (remove []string, add []ReplicaSpec) {
	for _, d := range compareReplicas(want, have) {
		if d.have != nil {
			remove = append(remove, d.have.Region)
		}
		if d.want != nil {
			add = append(add, *d.want)
		}
	}
	slices.Sort(remove)
	return remove, add
}

// replicaRegionTypes is want for the API.
func replicaRegionTypes(want []ReplicaSpec) []smtypes.ReplicaRegionType {
	var out []smtypes.ReplicaRegionType
	for _, w := range want {
		out = append(out, smtypes.ReplicaRegionType{Region: aws.String(w.Region), KmsKeyId: optString(w.KMSKeyID)})
	}
	return out
}

// ensureReplicas converges the secret's replicas to spec and waits until
// Secrets Manager finished replicating; a failed replica is a
// ReplicaFailedError quoting AWS's message.
func (s *Stack) ensureReplicas(ctx context.Context, spec Spec, sec *secretsmanager.DescribeSecretOutput) error {
	secretARN := aws.ToString(sec.ARN)
	remove, add := replicaChanges(spec.Replicas, Replicas(sec))
	if len(remove) > 0 {
		if err := s.removeReplicas(ctx, secretARN, remove); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		if _, err := s.c.SecretsManager.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{
			SecretId: aws.String(secretARN), AddReplicaRegions: replicaRegionTypes(add),
		}); err != nil {
			return stepErr("replicating the secret to "+regionList(add), KindReplica, err)
		}
		tflog.Debug(ctx, "replicating secret", map[string]any{"secret_arn": secretARN, "regions": regionList(add)})
	}
	if len(remove) == 0 && len(add) == 0 && !replicationBusy(Replicas(sec)) {
		return nil
	}
	return s.waitReplicas(ctx, secretARN)
}

// removeReplicas deletes the secret's replicas in regions.
func (s *Stack) removeReplicas(ctx context.Context, secretARN string, regions []string) error {
	_, err := s.c.SecretsManager.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{
		SecretId: aws.String(secretARN), RemoveReplicaRegions: regions,
	})
	if err != nil {
		return stepErr("removing the secret's replicas in "+strings.Join(regions, ", "), KindReplica, err)
	}
	tflog.Debug(ctx, "removed secret replicas", map[string]any{"secret_arn": secretARN, "regions": strings.Join(regions, ", ")})
	return nil
}

// deleteReplicas removes every replica, as DeleteSecret requires.
func (s *Stack) deleteReplicas(ctx context.Context, sec *secretsmanager.DescribeSecretOutput) error {
	var regions []string
	for _, r := range sec.ReplicationStatus {
		regions = append(regions, aws.ToString(r.Region))
	}
	if len(regions) == 0 {
		return nil
	}
	slices.Sort(regions)
	return s.removeReplicas(ctx, aws.ToString(sec.ARN), regions)
}

// waitReplicas polls DescribeSecret until no replica is InProgress
// (replicationTimeout), then fails on the first Failed one.
func (s *Stack) waitReplicas(ctx context.Context, secretARN string) error {
	var last *secretsmanager.DescribeSecretOutput
	err := retryWhile(ctx, replicationTimeout, func(err error) bool { return errors.Is(err, errReplicationInProgress) }, func() error {
		sec, err := FindSecret(ctx, s.c.SecretsManager, secretARN)
		if err != nil {
			return err
		}
		last = sec
		if replicationBusy(Replicas(sec)) {
			return errReplicationInProgress
		}
		return nil
	})
	if errors.Is(err, errReplicationInProgress) {
		return stepErr("waiting for the replication to other regions", KindReplica,
			fmt.Errorf("replicas still InProgress after %s", replicationTimeout))
	}
	if err != nil {
		return stepErr("reading the replication status", KindReplica, err)
	}
	return ReplicaFailure(last)
}

// ReplicaFailure returns a ReplicaFailedError for the first replica whose
// status is Failed, or nil.
func ReplicaFailure(sec *secretsmanager.DescribeSecretOutput) error {
	for _, r := range Replicas(sec) {
		if r.Status == replicaFailed {
			return &ReplicaFailedError{SecretARN: aws.ToString(sec.ARN), Region: r.Region, Message: r.StatusMessage}
		}
	}
	return nil
}

func replicationBusy(rs []Replica) bool {
	return slices.ContainsFunc(rs, func(r Replica) bool { return r.Status == replicaInProgress })
}

// replicaDrift compares the replicas with spec.
func replicaDrift(want []ReplicaSpec, have []Replica) []Drift {
	var out []Drift
	for _, d := range compareReplicas(want, have) {
		var msg string
		switch d.kind {
		case DriftReplicaMissing:
			msg = fmt.Sprintf("the replica in %s is missing (removed outside Terraform)", d.want.Region)
		case DriftReplicaFailed:
			msg = fmt.Sprintf("the replication to %s failed: %s", d.want.Region, d.have.StatusMessage)
		case DriftReplicaKMSKey:
			msg = fmt.Sprintf("the replica in %s uses KMS key %s, changed outside Terraform", d.want.Region, d.have.KMSKeyID)
		case DriftReplicaUnexpected:
			msg = fmt.Sprintf("a replica in %s was added outside Terraform", d.have.Region)
		}
		out = append(out, Drift{Kind: d.kind, Message: msg})
	}
	return out
}

func regionList(rs []ReplicaSpec) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Region)
	}
	return strings.Join(out, ", ")
}
