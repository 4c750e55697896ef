package stack

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// Staging labels of Secrets Manager.
const (
	stageCurrent = "AWSCURRENT"
	stagePending = "AWSPENDING"
)

// awsManagedKey is Secrets Manager's default key.
const awsManagedKey = "alias/aws/secretsmanager"

// FindSecret describes a secret by ARN or name. A secret that is gone or
// scheduled for deletion is a NotFoundError.
func FindSecret(ctx context.Context, c SecretsManagerAPI, id string) (*secretsmanager.DescribeSecretOutput, error) {
	out, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindSecret, ID: id, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.DeletedDate != nil {
		return nil, &NotFoundError{Kind: KindSecret, ID: id}
	}
	return out, nil
}

// createSecret creates the secret with its first value and tags, then
// attaches the resource policy.
func (s *Stack) createSecret(ctx context.Context, spec Spec, value string, st *State) error {
	in := &secretsmanager.CreateSecretInput{
		Name:               aws.String(spec.Name),
		Description:        optString(spec.Description),
		KmsKeyId:           optString(spec.KMSKeyID),
		SecretString:       aws.String(value),
		ClientRequestToken: aws.String(uuid.NewString()),
		Tags:               smTags(spec.allTags()),
		AddReplicaRegions:  replicaRegionTypes(spec.Replicas),
	}
	var out *secretsmanager.CreateSecretOutput
	// A name whose forced deletion is still running is retried (retry.go).
	err := retryWhile(ctx, secretNameReleaseTimeout, s.createSecretRetryable(ctx, spec.Name), func() error {
		var err error
		out, err = s.c.SecretsManager.CreateSecret(ctx, in)
		return err
	})
	if err != nil {
		return stepErr("creating the secret", KindSecret, err)
	}
	st.SecretARN, st.SecretName, st.InitialVersionID = aws.ToString(out.ARN), aws.ToString(out.Name), aws.ToString(out.VersionId)
	tflog.Debug(ctx, "created secret", map[string]any{"secret_arn": st.SecretARN})
	return nil
}

// putPolicy attaches the secret's resource policy, retrying while a
// principal it names has not propagated in IAM yet (retry.go).
func (s *Stack) putPolicy(ctx context.Context, secretARN, policy string) error {
	err := retryWhile(ctx, policyPrincipalTimeout, isPrincipalNotYetKnown, func() error {
		_, err := s.c.SecretsManager.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
			SecretId: aws.String(secretARN), ResourcePolicy: aws.String(policy),
		})
		return err
	})
	return stepErr("attaching the secret's resource policy", KindSecret, err)
}

// readPolicy returns the secret's resource policy ("" for none).
func (s *Stack) readPolicy(ctx context.Context, secretID string) (string, error) {
	out, err := s.c.SecretsManager.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(secretID)})
	if isCode(err, codeResourceNotFound) {
		return "", &NotFoundError{Kind: KindSecret, ID: secretID, Err: err}
	}
	if err != nil {
		return "", stepErr("reading the secret's resource policy", KindSecret, err)
	}
	return aws.ToString(out.ResourcePolicy), nil
}

// readValue returns the secret's AWSCURRENT string.
func (s *Stack) readValue(ctx context.Context, secretID, why string) (string, error) {
	out, err := s.c.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return "", stepErr("reading the current value "+why, KindSecret, err)
	}
	return aws.ToString(out.SecretString), nil
}

// ensureSecret applies description, key, tags and resource policy changes.
func (s *Stack) ensureSecret(ctx context.Context, spec Spec, sec *secretsmanager.DescribeSecretOutput, hadPolicy bool) error {
	id := sec.ARN
	newKey, err := s.keyChange(ctx, spec.KMSKeyID, aws.ToString(sec.KmsKeyId))
	if err != nil {
		return err
	}
	if aws.ToString(sec.Description) != spec.Description || newKey != "" {
		in := &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String(spec.Description), KmsKeyId: optString(newKey)}
		if _, err := s.c.SecretsManager.UpdateSecret(ctx, in); err != nil {
			return stepErr("updating the secret", KindSecret, err)
		}
	}
	have, want := SecretTags(sec.Tags), spec.allTags()
	adoptionTags(have, want)
	if add := changedTags(have, want); len(add) > 0 {
		if _, err := s.c.SecretsManager.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: id, Tags: smTags(add)}); err != nil {
			return stepErr("tagging the secret", KindSecret, err)
		}
	}
	if rm := removedTags(have, want); len(rm) > 0 {
		if _, err := s.c.SecretsManager.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: rm}); err != nil {
			return stepErr("untagging the secret", KindSecret, err)
		}
	}
	switch {
	case spec.Policy != "":
		return s.putPolicy(ctx, aws.ToString(id), spec.Policy)
	case hadPolicy:
		if _, err := s.c.SecretsManager.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: id}); err != nil {
			return stepErr("removing the secret's resource policy", KindSecret, err)
		}
	}
	return nil
}

// writeValue writes value as the new AWSCURRENT and returns its version.
// A finished rotation leaves AWSPENDING on the current version; a new
// current version would leave it behind on an old one, which Secrets
// Manager reads as a rotation still in progress ("A previous rotation
// isn't complete"), so the label is cleared first.
func (s *Stack) writeValue(ctx context.Context, secretARN, value string) (string, error) {
	sec, err := FindSecret(ctx, s.c.SecretsManager, secretARN)
	if err != nil {
		return "", stepErr("reading the secret before writing its value", KindSecret, err)
	}
	if err := CheckPending(sec); err != nil {
		return "", err
	}
	if v := currentVersion(sec); v != "" && slices.Contains(sec.VersionIdsToStages[v], stagePending) {
		if _, err := s.c.SecretsManager.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(secretARN), VersionStage: aws.String(stagePending), RemoveFromVersionId: aws.String(v),
		}); err != nil {
			return "", stepErr("clearing AWSPENDING from the current version", KindSecret, err)
		}
	}
	out, err := s.c.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretARN), SecretString: aws.String(value), ClientRequestToken: aws.String(uuid.NewString()),
	})
	if err != nil {
		return "", stepErr("writing the new secret value", KindSecret, err)
	}
	return aws.ToString(out.VersionId), nil
}

// deleteSecret deletes the secret with window days of recovery (0: at once).
func (s *Stack) deleteSecret(ctx context.Context, secretARN string, window int32) error {
	in := &secretsmanager.DeleteSecretInput{SecretId: aws.String(secretARN)}
	if window == 0 {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	} else {
		in.RecoveryWindowInDays = aws.Int64(int64(window))
	}
	if _, err := s.c.SecretsManager.DeleteSecret(ctx, in); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the secret", KindSecret, err)
	}
	return nil
}

// keyARN resolves a key ID, alias or ARN to the key's ARN. A key ARN is
// used as is, without a call.
func (s *Stack) keyARN(ctx context.Context, id string) (string, error) {
	if id == "" || isKeyARN(id) {
		return id, nil
	}
	out, err := s.c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return "", stepErr("resolving kms_key_id "+id, KindKey, err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

// keyChange returns the key UpdateSecret must set, or "" when the secret
// already uses the wanted key (compared as key ARNs).
func (s *Stack) keyChange(ctx context.Context, want, have string) (string, error) {
	switch {
	case want == "" && (have == "" || have == awsManagedKey):
		return "", nil
	case want == "":
		return awsManagedKey, nil
	case want == have:
		return "", nil
	case have == "":
		return want, nil
	}
	wantARN, err := s.keyARN(ctx, want)
	if err != nil {
		return "", err
	}
	haveARN, err := s.keyARN(ctx, have)
	if err != nil || haveARN != wantARN {
		return want, nil //nolint:nilerr // an unresolvable current key is replaced
	}
	return "", nil
}

// awsManagedSecretsKey is the key Secrets Manager uses when a secret names
// none; IAM policies cannot grant or deny its use.
const awsManagedSecretsKey = "alias/aws/secretsmanager"

// masterKeyARN returns the ARN of the master secret's customer-managed KMS
// key, or "" when the strategy reads no master secret or the master
// secret uses the AWS managed key (one DescribeSecret call).
func (s *Stack) masterKeyARN(ctx context.Context, spec Spec) (string, error) {
	if spec.MasterSecretARN == "" || !config.IsAlternating(spec.Strategy) {
		return "", nil
	}
	out, err := s.c.SecretsManager.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(spec.MasterSecretARN)})
	if err != nil {
		return "", stepErr("describing the master secret (rotation.master_secret_arn) to find its KMS key", KindRolePolicy, err)
	}
	id := aws.ToString(out.KmsKeyId)
	if id == "" || id == awsManagedSecretsKey {
		return "", nil
	}
	return s.keyARN(ctx, id)
}

// CheckPending returns a PendingRotationError when AWSPENDING sits on a
// version that is not AWSCURRENT.
func CheckPending(secret *secretsmanager.DescribeSecretOutput) error {
	for _, id := range slices.Sorted(maps.Keys(secret.VersionIdsToStages)) {
		stages := secret.VersionIdsToStages[id]
		if slices.Contains(stages, stagePending) && !slices.Contains(stages, stageCurrent) {
			return &PendingRotationError{SecretARN: aws.ToString(secret.ARN), VersionID: id,
				CurrentVersionID: currentVersion(secret), SetSecretDone: slices.Contains(stages, config.StageSetDone)}
		}
	}
	return nil
}

// currentVersion is the version holding AWSCURRENT ("" when none).
func currentVersion(secret *secretsmanager.DescribeSecretOutput) string {
	for _, id := range slices.Sorted(maps.Keys(secret.VersionIdsToStages)) {
		if slices.Contains(secret.VersionIdsToStages[id], stageCurrent) {
			return id
		}
	}
	return ""
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
