package validators

import (
	_ "embed" // partitions.json
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// pathReplica is the resource's replica blocks.
var pathReplica = path.Root("replica")

// ReplicaRegionRule is what replica.region accepts: the attribute's
// description and the detail of the errors below.
const ReplicaRegionRule = "A region of the provider's partition, other than the provider's own region (the primary secret's), " +
	"named at most once. The regions of each partition are those the AWS SDK for Go v2 lists (its partitions.json)."

// ReplicaKeyRule is what replica.kms_key_id accepts: the attribute's
// description and the detail of the error below.
const ReplicaKeyRule = "The ARN of a KMS key of the replica's region (`arn:PARTITION:kms:REGION:ACCOUNT:key/ID`), or " +
	"`alias/aws/secretsmanager`; unset means that region's `aws/secretsmanager` key. A key ID or alias of another " +
	"region cannot be resolved from the primary region to compare with the key Secrets Manager reports, so only an ARN converges."

// defaultReplicaKey is Secrets Manager's AWS managed key, in every region.
const defaultReplicaKey = "alias/aws/secretsmanager"

// Replica is one replica block as the checks see it ("" for unknown or
// unset values).
type Replica struct {
	Region   string
	KMSKeyID string
}

// SingleUserReplicaWarning is what a user of a single-user database
// strategy must know about replicas.
const SingleUserReplicaWarning = "The single-user strategies change the password of one database user on the one database " +
	"`secret_template` names (its host). Replicas copy that secret, host and password included, to other regions: " +
	"applications there that read their regional replica get the same credentials for that same database, not for a " +
	"database of their own region. Rotation runs only in the primary region (Secrets Manager then copies the new value " +
	"to every replica), so the rotation function must reach the database from the primary region, and while a replica " +
	"catches up an application in another region may briefly read the previous password, which the database no longer " +
	"accepts. For a regional database per region, create one rotator_rotated_secret per region (a provider alias per " +
	"region); for a database with cross-region read replicas, prefer an alternating-users strategy, which keeps the " +
	"previous password valid until the next rotation."

// partitionsJSON is the AWS SDK for Go v2's partition data (SOURCE.md).
//
//go:embed partitions.json
var partitionsJSON []byte

// partitionRegions maps a partition ID to its regions, sorted.
var partitionRegions = sync.OnceValue(func() map[string][]string {
	var doc struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(partitionsJSON, &doc); err != nil {
		panic("validators: embedded partitions.json: " + err.Error()) // TestPartitionRegions catches it
	}
	out := map[string][]string{}
	for _, p := range doc.Partitions {
		re, err := regexp.Compile(p.RegionRegex)
		if err != nil {
			panic("validators: embedded partitions.json: " + err.Error())
		}
		for r := range p.Regions {
			if re.MatchString(r) { // not the pseudo regions such as aws-global
				out[p.ID] = append(out[p.ID], r)
			}
		}
		slices.Sort(out[p.ID])
	}
	return out
})

// PartitionRegions are the regions of partition (e.g. "aws", "aws-cn"),
// sorted: the one list the replica checks use.
func PartitionRegions(partition string) []string {
	return slices.Clone(partitionRegions()[partition])
}

// Replicas checks the replica regions against the primary's region and
// partition, and warns when a single-user database strategy is
// replicated. An empty region (unknown at plan time) is skipped.
func Replicas(primaryRegion, partition, strategy string, replicas []Replica) diag.Diagnostics {
	var diags diag.Diagnostics
	known := PartitionRegions(partition)
	seen := map[string]bool{}
	for _, rep := range replicas {
		if k := rep.KMSKeyID; k != "" && k != defaultReplicaKey && rep.Region != "" && !isKeyARNIn(k, partition, rep.Region) {
			diags.AddAttributeError(pathReplica, "Replica KMS key is not a key ARN of the replica's region",
				fmt.Sprintf("replica.kms_key_id %q (replica in %s). %s", k, rep.Region, ReplicaKeyRule))
		}
		r := rep.Region
		switch {
		case r == "":
			continue
		case r == primaryRegion:
			diags.AddAttributeError(pathReplica, "Replica in the primary region",
				fmt.Sprintf("replica.region %q is the provider's region, where the secret itself (the primary) lives. %s", r, ReplicaRegionRule))
		case seen[r]:
			diags.AddAttributeError(pathReplica, "Duplicate replica region",
				fmt.Sprintf("replica.region %q is named by more than one replica block. %s", r, ReplicaRegionRule))
		case len(known) > 0 && !slices.Contains(known, r):
			diags.AddAttributeError(pathReplica, "Unknown replica region",
				fmt.Sprintf("replica.region %q is not a region of partition %s (%s). %s", r, partition, strings.Join(known, ", "), ReplicaRegionRule))
		}
		seen[r] = true
	}
	if len(replicas) > 0 && (strategy == config.StrategyPostgreSQLSingleUser || strategy == config.StrategyMySQLSingleUser) {
		diags.AddAttributeWarning(pathReplica, "Replicas of a single-user database secret", SingleUserReplicaWarning)
	}
	return diags
}

// isKeyARNIn reports whether id is the ARN of a KMS key in region.
func isKeyARNIn(id, partition, region string) bool {
	parts := strings.SplitN(id, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[1] == partition && parts[2] == "kms" && parts[3] == region &&
		parts[4] != "" && strings.HasPrefix(parts[5], "key/") && len(parts[5]) > len("key/")
}
