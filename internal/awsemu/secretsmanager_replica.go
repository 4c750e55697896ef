package awsemu

// secretsmanager_replica.go is Secrets Manager's multi-Region secrets:
// CreateSecret's AddReplicaRegions, ReplicateSecretToRegions,
// RemoveRegionsFromReplication, DescribeSecret's ReplicationStatus and
// PrimaryRegion, read-only replicas, and the copy of every version and
// staging label from the primary to its replicas. See doc.go ("Regions and
// replicas") for the choices made where AWS documents nothing.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

const (
	smReplicaInSync     = "InSync"
	smReplicaFailed     = "Failed"
	smReplicaInProgress = "InProgress"

	// smReplicationPolls is how many DescribeSecret calls of the primary
	// still see a new replica InProgress; smReplicationDelay is the
	// emulator-clock time after which it is done anyway. AWS documents no
	// duration: replication is asynchronous (ReplicationStatusType.Status
	// has InProgress), so a client must poll.
	smReplicationPolls = 2
	smReplicationDelay = 10 * time.Second

	// smMsgReplicaReadOnly is AWS's answer (InvalidParameterException) to
	// any write on a replica, seen e.g. in gruntwork-io/cloud-nuke#435 and
	// lgallard/terraform-aws-secrets-manager#188.
	smMsgReplicaReadOnly = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
	// smMsgDeleteWithReplicas is AWS's answer (InvalidParameterException)
	// to DeleteSecret on a primary that still has replicas
	// (gruntwork-io/cloud-nuke#435).
	smMsgDeleteWithReplicas = "You can't delete secret %s that still has replica regions [%s]."
	// smMsgReplicaNameTaken is the StatusMessage of a replica whose region
	// already holds a secret of the same name (AWS documents the case,
	// ReplicateSecretToRegions ForceOverwriteReplicaSecret, not the wording).
	smMsgReplicaNameTaken = "Replication failed: Secret name already exists in region %s. Use ForceOverwriteReplicaSecret to overwrite it."
	// smMsgReplicaKeyRegion is the StatusMessage of a replica whose KMS key
	// is not in the replica's region ("each replica region needs its own
	// KMS key").
	smMsgReplicaKeyRegion = "Replication failed: The KMS key %s is not in region %s. Use a KMS key of the replica's region."
	// smMsgReplicaKeyUnusable is the StatusMessage of a replica whose key
	// is missing, disabled or pending deletion.
	smMsgReplicaKeyUnusable = "Replication failed: Secrets Manager can't use the KMS key %s to encrypt the replica. %s"
)

// smReplicaWrites are the operations a replica refuses (everything but
// reads: "A replica secret can't be updated independently from its primary
// secret", Secrets Manager user guide, standalone-secret.html).
var smReplicaWrites = map[string]bool{
	"PutSecretValue": true, "UpdateSecret": true, "UpdateSecretVersionStage": true,
	"RotateSecret": true, "CancelRotateSecret": true, "DeleteSecret": true, "RestoreSecret": true,
	"TagResource": true, "UntagResource": true, "PutResourcePolicy": true, "DeleteResourcePolicy": true,
	"ReplicateSecretToRegions": true, "RemoveRegionsFromReplication": true,
}

// smRegionPattern is ReplicaRegionType.Region's pattern in the API model.
var smRegionPattern = regexp.MustCompile(`^([a-z]+-)+\d+$`)

// smReplicaRegion is ReplicaRegionType.
type smReplicaRegion struct {
	Region   string
	KmsKeyId string
}

// smReplica is one replica of a primary secret.
type smReplica struct {
	Region        string    `json:"region"`
	KmsKeyID      string    `json:"kmsKeyId,omitempty"`
	Status        string    `json:"status"`
	StatusMessage string    `json:"statusMessage,omitempty"`
	Added         time.Time `json:"added"`
	Polls         int       `json:"polls"`
	Force         bool      `json:"force,omitempty"`
}

// smReplicationStatus is ReplicationStatusType.
type smReplicationStatus struct {
	Region           string     `json:"Region"`
	KmsKeyId         string     `json:"KmsKeyId,omitempty"`
	Status           string     `json:"Status"`
	StatusMessage    string     `json:"StatusMessage,omitempty"`
	LastAccessedDate *epochTime `json:"LastAccessedDate,omitempty"`
}

// region is the region of the secret, from its ARN.
func (s *smSecret) region() string {
	parts := strings.SplitN(s.ARN, ":", 5)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

// isReplica reports whether the secret is a replica of a primary in
// another region.
func (s *smSecret) isReplica() bool {
	return s.PrimaryRegion != "" && s.PrimaryRegion != s.region()
}

// replicaRegions are the primary's replica regions, sorted.
func (s *smSecret) replicaRegions() []string {
	out := make([]string, 0, len(s.Replicas))
	for _, r := range s.Replicas {
		out = append(out, r.Region)
	}
	sort.Strings(out)
	return out
}

// replicationStatus is the primary's ReplicationStatus (nil without
// replicas), in the order the regions were added.
func (s *smSecret) replicationStatus() []smReplicationStatus {
	if len(s.Replicas) == 0 {
		return nil
	}
	out := make([]smReplicationStatus, 0, len(s.Replicas))
	for _, r := range s.Replicas {
		key := r.KmsKeyID
		if key == "" {
			key = kmsAliasManagedSM
		}
		out = append(out, smReplicationStatus{Region: r.Region, KmsKeyId: key, Status: r.Status, StatusMessage: r.StatusMessage})
	}
	return out
}

// replicaARN is the ARN of the primary's replica in region: the same ARN
// with the region swapped (Secrets Manager user guide, replicate-secrets).
func (s *smSecret) replicaARN(region string) string {
	parts := strings.SplitN(s.ARN, ":", 5)
	parts[3] = region
	return strings.Join(parts, ":")
}

// smValidateReplicaRegions checks AddReplicaRegions of a secret of region
// primary before anything changes.
func smValidateReplicaRegions(primary string, add []smReplicaRegion) error {
	seen := map[string]bool{}
	for _, r := range add {
		if !smRegionPattern.MatchString(r.Region) || len(r.Region) > 128 {
			return emuErr("ValidationException", "1 validation error detected: Value '%s' at 'addReplicaRegions.member.region' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-)+\\d+$", r.Region)
		}
		if r.Region == primary {
			return emuErr("InvalidParameterException", "Invalid replica region %s: it is the primary secret's region.", r.Region)
		}
		if seen[r.Region] {
			return emuErr("InvalidParameterException", "Duplicate replica region %s.", r.Region)
		}
		seen[r.Region] = true
	}
	return nil
}

// addReplicasLocked starts the replication of s to add (validated).
func (b *smBackend) addReplicasLocked(s *smSecret, add []smReplicaRegion, force bool, now time.Time) {
	s.PrimaryRegion = s.region()
	for _, r := range add {
		s.Replicas = append(s.Replicas, &smReplica{Region: r.Region, KmsKeyID: r.KmsKeyId, Status: smReplicaInProgress,
			Added: now, Polls: smReplicationPolls, Force: force})
	}
}

// replicating wraps a handler: before each request, replication catches up
// (replicas due finish, in-sync replicas get the primary's versions).
func (b *smBackend) replicating(h Handler) Handler {
	return func(c *Call) (any, error) {
		b.mu.Lock()
		b.syncReplicasLocked(c.Now)
		b.mu.Unlock()
		return h(c)
	}
}

// replicaPolledLocked counts a DescribeSecret of a primary toward its
// InProgress replicas.
func (b *smBackend) replicaPolledLocked(s *smSecret, now time.Time) {
	for _, r := range s.Replicas {
		if r.Status == smReplicaInProgress && r.Polls > 0 {
			r.Polls--
		}
	}
	b.syncSecretLocked(s, now)
}

// syncReplicasLocked brings every primary's replicas up to date.
func (b *smBackend) syncReplicasLocked(now time.Time) {
	for _, s := range b.secrets {
		if len(s.Replicas) > 0 {
			b.syncSecretLocked(s, now)
		}
	}
}

// syncSecretLocked finishes s's due replicas and copies s into its
// in-sync replicas.
func (b *smBackend) syncSecretLocked(s *smSecret, now time.Time) {
	for _, r := range s.Replicas {
		if r.Status == smReplicaInProgress && (r.Polls <= 0 || !now.Before(r.Added.Add(smReplicationDelay))) {
			b.finishReplicaLocked(s, r, now)
		}
		if r.Status != smReplicaInSync {
			continue
		}
		if rep := b.secrets[s.replicaARN(r.Region)]; rep != nil {
			copyToReplica(s, rep, r)
		}
	}
}

// finishReplicaLocked creates the replica secret in r's region, or marks
// r Failed.
func (b *smBackend) finishReplicaLocked(s *smSecret, r *smReplica, now time.Time) {
	if msg := b.replicaKeyProblemLocked(r); msg != "" {
		r.Status, r.StatusMessage = smReplicaFailed, msg
		return
	}
	for arn, other := range b.secrets {
		if other.Name != s.Name || other.region() != r.Region {
			continue
		}
		if !r.Force {
			r.Status, r.StatusMessage = smReplicaFailed, fmt.Sprintf(smMsgReplicaNameTaken, r.Region)
			return
		}
		delete(b.secrets, arn)
	}
	rep := &smSecret{ARN: s.replicaARN(r.Region), Name: s.Name, Created: now, PrimaryRegion: s.region(),
		Versions: map[string]*smVersion{}}
	copyToReplica(s, rep, r)
	b.secrets[rep.ARN] = rep
	r.Status, r.StatusMessage = smReplicaInSync, ""
}

// replicaKeyProblemLocked is why r's KMS key cannot encrypt the replica
// ("" when it can): it must be a usable key of the replica's region.
func (b *smBackend) replicaKeyProblemLocked(r *smReplica) string {
	k := r.KmsKeyID
	if k == "" || k == kmsAliasManagedSM {
		return ""
	}
	arn := k
	if !strings.HasPrefix(k, "arn:") && b.kms != nil {
		arn = b.kms.keyARN(k)
	}
	if parts := strings.SplitN(arn, ":", 5); len(parts) < 5 || parts[3] != r.Region {
		return fmt.Sprintf(smMsgReplicaKeyRegion, k, r.Region)
	}
	if b.keys != nil {
		if err := b.keys.CheckKeyUsable(arn); err != nil {
			msg := err.Error()
			if ae, ok := err.(*APIError); ok {
				msg = ae.Code + ": " + ae.Message
			}
			return fmt.Sprintf(smMsgReplicaKeyUnusable, k, msg)
		}
	}
	return ""
}

// copyToReplica copies the primary's metadata, every version and every
// staging label into the replica, each version encrypted with the
// replica's key. The replica keeps its own access dates; rotation settings
// stay on the primary (rotation runs only in the primary's region).
func copyToReplica(s, rep *smSecret, r *smReplica) {
	rep.Description, rep.Policy, rep.KmsKeyID = s.Description, s.Policy, r.KmsKeyID
	rep.Tags = append([]smTag(nil), s.Tags...)
	rep.LastChanged = s.LastChanged
	versions := make(map[string]*smVersion, len(s.Versions))
	for id, v := range s.Versions {
		cp := *v
		cp.Stages = append([]string(nil), v.Stages...)
		cp.Binary = append([]byte(nil), v.Binary...)
		if v.Binary == nil {
			cp.Binary = nil
		}
		cp.KmsKeyID = r.KmsKeyID
		cp.LastAccessed = time.Time{}
		if old := rep.Versions[id]; old != nil {
			cp.LastAccessed = old.LastAccessed
		}
		versions[id] = &cp
	}
	rep.Versions = versions
}

func (b *smBackend) replicateSecretToRegions(c *Call) (any, error) {
	var in struct {
		SecretId                    string
		AddReplicaRegions           []smReplicaRegion
		ForceOverwriteReplicaSecret bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if len(in.AddReplicaRegions) == 0 {
		return nil, emuErr("ValidationException", "1 validation error detected: Value null at 'addReplicaRegions' failed to satisfy constraint: Member must not be null")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "ReplicateSecretToRegions", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	if err := smValidateReplicaRegions(s.region(), in.AddReplicaRegions); err != nil {
		return nil, err
	}
	for _, add := range in.AddReplicaRegions {
		for _, r := range s.Replicas {
			if r.Region == add.Region {
				return nil, emuErr("InvalidParameterException", "The secret is already replicated to region %s.", add.Region)
			}
		}
	}
	b.addReplicasLocked(s, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret, c.Now)
	return map[string]any{"ARN": s.ARN, "ReplicationStatus": s.replicationStatus()}, nil
}

func (b *smBackend) removeRegionsFromReplication(c *Call) (any, error) {
	var in struct {
		SecretId             string
		RemoveReplicaRegions []string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if len(in.RemoveReplicaRegions) == 0 {
		return nil, emuErr("ValidationException", "1 validation error detected: Value null at 'removeReplicaRegions' failed to satisfy constraint: Member must not be null")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "RemoveRegionsFromReplication", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	remove := map[string]bool{}
	for _, region := range in.RemoveReplicaRegions {
		found := false
		for _, r := range s.Replicas {
			found = found || r.Region == region
		}
		if !found {
			return nil, emuErr("InvalidParameterException", "The secret is not replicated to region %s.", region)
		}
		remove[region] = true
	}
	kept := s.Replicas[:0]
	for _, r := range s.Replicas {
		if !remove[r.Region] {
			kept = append(kept, r)
			continue
		}
		delete(b.secrets, s.replicaARN(r.Region))
	}
	s.Replicas = kept
	if len(s.Replicas) == 0 {
		s.PrimaryRegion = ""
	}
	status := s.replicationStatus()
	if status == nil {
		status = []smReplicationStatus{}
	}
	return map[string]any{"ARN": s.ARN, "ReplicationStatus": status}, nil
}
