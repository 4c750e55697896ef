package awsemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// smRegionClients are administrator Secrets Manager clients of one
// emulator, one per region (the region is the SigV4 credential scope's).
func smRegionClients(t *testing.T, regions ...string) map[string]*secretsmanager.Client {
	t.Helper()
	srv := emuTestServer(t, Options{})
	out := map[string]*secretsmanager.Client{}
	for _, r := range regions {
		cfg := emuTestConfig(srv, "test", "test", "")
		cfg.Region = r
		out[r] = secretsmanager.NewFromConfig(cfg)
	}
	return out
}

// smAPICode is the error code and message of err ("" when nil).
func smAPICode(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "?", err.Error()
	}
	return "", ""
}

// smStatuses is the ReplicationStatus of a secret as region→status.
func smStatuses(t *testing.T, c *secretsmanager.Client, id string) (map[string]string, *secretsmanager.DescribeSecretOutput) {
	t.Helper()
	d, err := c.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	out := map[string]string{}
	for _, r := range d.ReplicationStatus {
		out[aws.ToString(r.Region)] = string(r.Status)
	}
	return out, d
}

func TestSecretsManagerRegionsAreSeparate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := smRegionClients(t, "us-east-1", "eu-west-1")
	east, err := c["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("east")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id string
	}{
		{"by name", "app/db"},
		{"by ARN", aws.ToString(east.ARN)},
	}
	for _, tt := range tests {
		_, err := c["eu-west-1"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(tt.id)})
		if code, _ := smAPICode(err); code != "ResourceNotFoundException" {
			t.Errorf("%s: GetSecretValue from eu-west-1 = %v, want ResourceNotFoundException", tt.name, err)
		}
	}
	// The same name is free in another region and holds its own value.
	if _, err := c["eu-west-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("west")}); err != nil {
		t.Fatalf("CreateSecret in eu-west-1: %v", err)
	}
	for region, want := range map[string]string{"us-east-1": "east", "eu-west-1": "west"} {
		v, err := c[region].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
		if err != nil || aws.ToString(v.SecretString) != want {
			t.Errorf("%s: GetSecretValue = %v, %v; want %q", region, aws.ToString(v.SecretString), err, want)
		}
	}
	l, err := c["eu-west-1"].ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	if err != nil || len(l.SecretList) != 1 {
		t.Errorf("ListSecrets in eu-west-1 = %d secrets, %v; want 1", len(l.SecretList), err)
	}
}

func TestSecretsManagerReplication(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := smRegionClients(t, "us-east-1", "us-west-2", "eu-west-1")
	primary := c["us-east-1"]
	created, err := primary.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("app/replicated"), SecretString: aws.String("v1"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-west-2")}, {Region: aws.String("eu-west-1")}},
	})
	if err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
	for _, r := range created.ReplicationStatus {
		if r.Status != smtypes.StatusTypeInProgress {
			t.Errorf("CreateSecret: replica %s is %s, want InProgress (replication is asynchronous)", aws.ToString(r.Region), r.Status)
		}
	}
	// Before the replication finished, the replica region holds nothing.
	if _, err := c["us-west-2"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/replicated")}); err == nil {
		t.Error("DescribeSecret in us-west-2 before the replication finished: no error, want ResourceNotFoundException")
	}
	var got map[string]string
	var d *secretsmanager.DescribeSecretOutput
	for range smReplicationPolls + 1 {
		got, d = smStatuses(t, primary, "app/replicated")
	}
	if diff := cmp.Diff(map[string]string{"us-west-2": "InSync", "eu-west-1": "InSync"}, got); diff != "" {
		t.Errorf("ReplicationStatus after polling (-want +got):\n%s", diff)
	}
	if aws.ToString(d.PrimaryRegion) != "us-east-1" {
		t.Errorf("PrimaryRegion = %q, want us-east-1", aws.ToString(d.PrimaryRegion))
	}
	for _, r := range d.ReplicationStatus {
		if aws.ToString(r.KmsKeyId) != "alias/aws/secretsmanager" {
			t.Errorf("replica %s KmsKeyId = %q, want the region's default alias/aws/secretsmanager", aws.ToString(r.Region), aws.ToString(r.KmsKeyId))
		}
	}

	// Every later write in the primary reaches the replicas: a new value,
	// then the label moves of a rotation's finishSecret.
	put, err := primary.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/replicated"),
		SecretString: aws.String("v2"), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	v1 := ""
	for id, st := range d.VersionIdsToStages {
		if len(st) == 1 && st[0] == "AWSCURRENT" {
			v1 = id
		}
	}
	if _, err := primary.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("app/replicated"),
		VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: put.VersionId, RemoveFromVersionId: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	_, pd := smStatuses(t, primary, "app/replicated")
	for _, region := range []string{"us-west-2", "eu-west-1"} {
		v, err := c[region].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/replicated")})
		if err != nil || aws.ToString(v.SecretString) != "v2" {
			t.Errorf("%s: GetSecretValue(AWSCURRENT) = %q, %v; want v2", region, aws.ToString(v.SecretString), err)
		}
		rd, err := c[region].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/replicated")})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pd.VersionIdsToStages, rd.VersionIdsToStages); diff != "" {
			t.Errorf("%s: versions and labels differ from the primary's (-primary +replica):\n%s", region, diff)
		}
		if want := fmt.Sprintf("arn:aws:secretsmanager:%s:123456789012:secret:", region); aws.ToString(rd.ARN)[:len(want)] != want ||
			aws.ToString(rd.ARN)[len(want):] != aws.ToString(created.ARN)[len("arn:aws:secretsmanager:us-east-1:123456789012:secret:"):] {
			t.Errorf("%s: replica ARN %s, want the primary's %s with the region swapped", region, aws.ToString(rd.ARN), aws.ToString(created.ARN))
		}
		if aws.ToString(rd.PrimaryRegion) != "us-east-1" {
			t.Errorf("%s: replica PrimaryRegion = %q, want us-east-1", region, aws.ToString(rd.PrimaryRegion))
		}
	}

	// Removing a region deletes its replica; the other stays.
	if _, err := primary.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{
		SecretId: aws.String("app/replicated"), RemoveReplicaRegions: []string{"us-west-2"}}); err != nil {
		t.Fatalf("RemoveRegionsFromReplication: %v", err)
	}
	if _, err := c["us-west-2"].DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/replicated")}); err == nil {
		t.Error("us-west-2 still holds the secret after RemoveRegionsFromReplication")
	}
	got, _ = smStatuses(t, primary, "app/replicated")
	if diff := cmp.Diff(map[string]string{"eu-west-1": "InSync"}, got); diff != "" {
		t.Errorf("ReplicationStatus after removing us-west-2 (-want +got):\n%s", diff)
	}
}

func TestSecretsManagerReplicaRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const readOnly = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
	tests := []struct {
		name string
		// run gets the primary (us-east-1) and replica (eu-west-1) clients
		// of "s", replicated and in sync.
		run      func(p, r *secretsmanager.Client) error
		wantCode string
		wantMsg  string
	}{
		{"PutSecretValue on a replica", func(_, r *secretsmanager.Client) error {
			_, err := r.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("s"), SecretString: aws.String("x")})
			return err
		}, "InvalidParameterException", readOnly},
		{"UpdateSecret on a replica", func(_, r *secretsmanager.Client) error {
			_, err := r.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("s"), Description: aws.String("x")})
			return err
		}, "InvalidParameterException", readOnly},
		{"RotateSecret on a replica", func(_, r *secretsmanager.Client) error {
			_, err := r.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s")})
			return err
		}, "InvalidParameterException", readOnly},
		{"DeleteSecret on a replica", func(_, r *secretsmanager.Client) error {
			_, err := r.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)})
			return err
		}, "InvalidParameterException", readOnly},
		{"TagResource on a replica", func(_, r *secretsmanager.Client) error {
			_, err := r.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("s"), Tags: []smtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "InvalidParameterException", readOnly},
		{"DeleteSecret on a primary with replicas", func(p, _ *secretsmanager.Client) error {
			_, err := p.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s")})
			return err
		}, "InvalidParameterException", "You can't delete secret ARN that still has replica regions [eu-west-1]."},
		{"replicating to the primary's own region", func(p, _ *secretsmanager.Client) error {
			_, err := p.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("s"),
				AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-east-1")}}})
			return err
		}, "InvalidParameterException", "Invalid replica region us-east-1: it is the primary secret's region."},
		{"replicating to a region twice", func(p, _ *secretsmanager.Client) error {
			_, err := p.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("s"),
				AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
			return err
		}, "InvalidParameterException", "The secret is already replicated to region eu-west-1."},
		{"GetSecretValue on a replica is allowed", func(_, r *secretsmanager.Client) error {
			_, err := r.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			return err
		}, "", ""},
		{"DeleteSecret after removing the replicas", func(p, _ *secretsmanager.Client) error {
			if _, err := p.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: aws.String("s"),
				RemoveReplicaRegions: []string{"eu-west-1"}}); err != nil {
				return err
			}
			_, err := p.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), ForceDeleteWithoutRecovery: aws.Bool(true)})
			return err
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := smRegionClients(t, "us-east-1", "eu-west-1")
			out, err := c["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v"),
				AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
			if err != nil {
				t.Fatal(err)
			}
			for range smReplicationPolls {
				smStatuses(t, c["us-east-1"], "s")
			}
			code, msg := smAPICode(tt.run(c["us-east-1"], c["eu-west-1"]))
			if tt.wantMsg != "" {
				tt.wantMsg = replaceARN(tt.wantMsg, aws.ToString(out.ARN))
			}
			if diff := cmp.Diff([2]string{tt.wantCode, tt.wantMsg}, [2]string{code, msg}); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// replaceARN puts arn in place of the word ARN in msg.
func replaceARN(msg, arn string) string {
	const word = "ARN"
	for i := 0; i+len(word) <= len(msg); i++ {
		if msg[i:i+len(word)] == word {
			return msg[:i] + arn + msg[i+len(word):]
		}
	}
	return msg
}

func TestSecretsManagerReplicaFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name    string
		replica smtypes.ReplicaRegionType
		force   bool
		// taken creates a secret of the same name in eu-west-1 first.
		taken      bool
		wantStatus string
		wantMsg    string
	}{
		{"name already taken in the replica region", smtypes.ReplicaRegionType{Region: aws.String("eu-west-1")}, false, true,
			"Failed", "Replication failed: Secret name already exists in region eu-west-1. Use ForceOverwriteReplicaSecret to overwrite it."},
		{"name taken, ForceOverwriteReplicaSecret", smtypes.ReplicaRegionType{Region: aws.String("eu-west-1")}, true, true,
			"InSync", ""},
		{"KMS key of another region", smtypes.ReplicaRegionType{Region: aws.String("eu-west-1"),
			KmsKeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555")}, false, false,
			"Failed", "Replication failed: The KMS key arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555 is not in region eu-west-1. Use a KMS key of the replica's region."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := smRegionClients(t, "us-east-1", "eu-west-1")
			if tt.taken {
				if _, err := c["eu-west-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("local")}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c["us-east-1"].ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: aws.String("s"),
				AddReplicaRegions: []smtypes.ReplicaRegionType{tt.replica}, ForceOverwriteReplicaSecret: tt.force}); err != nil {
				t.Fatal(err)
			}
			var d *secretsmanager.DescribeSecretOutput
			for range smReplicationPolls + 1 {
				_, d = smStatuses(t, c["us-east-1"], "s")
			}
			var got []string
			for _, r := range d.ReplicationStatus {
				got = append(got, string(r.Status), aws.ToString(r.StatusMessage))
			}
			if diff := cmp.Diff([]string{tt.wantStatus, tt.wantMsg}, got); diff != "" {
				t.Errorf("ReplicationStatus (-want +got):\n%s", diff)
			}
			v, err := c["eu-west-1"].GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			want := "v"
			if tt.wantStatus == "Failed" && tt.taken {
				want = "local" // the other secret is left alone
			}
			if tt.wantStatus == "Failed" && !tt.taken {
				if err == nil {
					t.Errorf("eu-west-1 holds a secret after a failed replication")
				}
				return
			}
			if err != nil || aws.ToString(v.SecretString) != want {
				t.Errorf("eu-west-1 GetSecretValue = %q, %v; want %q", aws.ToString(v.SecretString), err, want)
			}
		})
	}
}

func TestSecretsManagerReplicaKMSKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emuTestServer(t, Options{})
	client := func(region string) *emuTestClients {
		cfg := emuTestConfig(srv, "test", "test", "")
		cfg.Region = region
		return emuTestClientsFor(srv, cfg)
	}
	east, west := client("us-east-1"), client("eu-west-1")
	key, err := west.kms.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	westKey := aws.ToString(key.KeyMetadata.Arn)
	if !strings.HasPrefix(westKey, "arn:aws:kms:eu-west-1:") {
		t.Fatalf("CreateKey with an eu-west-1 scope made %s", westKey)
	}
	missing := "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name, key, wantStatus, wantMsg string
	}{
		{"key of the replica's region", westKey, "InSync", ""},
		{"key ID of the replica's region", aws.ToString(key.KeyMetadata.KeyId), "InSync", ""},
		{"missing key of the replica's region", missing, "Failed",
			"Replication failed: Secrets Manager can't use the KMS key " + missing + " to encrypt the replica. NotFoundException: Key '" + missing + "' does not exist"},
	}
	for i, tt := range tests {
		name := fmt.Sprintf("s%d", i)
		if _, err := east.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v"),
			AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("eu-west-1"), KmsKeyId: aws.String(tt.key)}}}); err != nil {
			t.Fatal(err)
		}
		var d *secretsmanager.DescribeSecretOutput
		for range smReplicationPolls + 1 {
			_, d = smStatuses(t, east.sm, name)
		}
		got := []string{string(d.ReplicationStatus[0].Status), aws.ToString(d.ReplicationStatus[0].StatusMessage)}
		if diff := cmp.Diff([]string{tt.wantStatus, tt.wantMsg}, got); diff != "" {
			t.Errorf("%s: ReplicationStatus (-want +got):\n%s", tt.name, diff)
		}
		if tt.wantStatus != "InSync" {
			continue
		}
		v, err := west.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil || aws.ToString(v.SecretString) != "v" {
			t.Errorf("%s: replica GetSecretValue = %q, %v; want v", tt.name, aws.ToString(v.SecretString), err)
		}
	}
}

func TestSecretsManagerListByPrimaryRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := smRegionClients(t, "us-east-1", "eu-west-1")
	if _, err := c["us-east-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("replicated"), SecretString: aws.String("v"),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("eu-west-1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c["eu-west-1"].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("local"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	for range smReplicationPolls {
		smStatuses(t, c["us-east-1"], "replicated")
	}
	l, err := c["eu-west-1"].ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypePrimaryRegion, Values: []string{"us-east-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range l.SecretList {
		got = append(got, aws.ToString(s.Name))
	}
	if diff := cmp.Diff([]string{"replicated"}, got); diff != "" {
		t.Errorf("eu-west-1 secrets whose primary is in us-east-1 (-want +got):\n%s", diff)
	}
}
