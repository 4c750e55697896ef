package stack

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
)

// UpdateOptions are the value changes an update may carry. Both are rare
// and explicit: the resource owns the secret, not a version.
type UpdateOptions struct {
	// NewValue, when set, is written as the new AWSCURRENT (the user bumped
	// initial_value_wo_version).
	NewValue string
	// RewriteValue, when set, derives a new value from the current one
	// (the non-rotating keys of secret_template changed).
	RewriteValue func(current string) (string, error)
	// HadPolicy says the prior state had a resource policy, so an empty
	// spec policy deletes it.
	HadPolicy bool
	// PriorRoleName is the role the stack created earlier; when the spec now
	// brings its own role, it is deleted after the function moved off it.
	PriorRoleName string
}

// Update converges every child to spec: it repairs what is missing or
// changed outside Terraform and applies configuration changes in place.
func (s *Stack) Update(ctx context.Context, spec Spec, st State, opts UpdateOptions) (State, error) {
	names := spec.Names()
	sec, err := FindSecret(ctx, s.c.SecretsManager, st.SecretARN)
	if err != nil {
		return st, stepErr("reading the secret", KindSecret, err)
	}
	st.SecretARN, st.SecretName = aws.ToString(sec.ARN), aws.ToString(sec.Name)
	spec = spec.WithAccountFrom(st.SecretARN)

	if err := s.updateSecret(ctx, spec, st, sec, opts); err != nil {
		return st, err
	}
	if err := s.ensureRole(ctx, spec, &st); err != nil {
		return st, err
	}
	if err := s.ensureLogGroup(ctx, spec, &st); err != nil {
		return st, err
	}
	created, err := s.updateFunction(ctx, spec, &st)
	if err != nil {
		return st, err
	}
	var perm *PermissionStatement
	if !created {
		perm, err = FindPermission(ctx, s.c.Lambda, names.Function, names.StatementID)
		if err != nil && !IsNotFound(err) {
			return st, stepErr("reading the invoke permission", KindPermission, err)
		}
	}
	if err := s.ensurePermission(ctx, spec, &st, perm); err != nil {
		return st, err
	}

	enabled := aws.ToBool(sec.RotationEnabled)
	switch {
	case spec.Rotation.Enabled && (!enabled || created || !rulesMatch(spec.Rotation, sec) ||
		aws.ToString(sec.RotationLambdaARN) != st.FunctionARN):
		if err := CheckPending(sec); err != nil {
			if p, ok := err.(*PendingRotationError); ok {
				p.Strategy = spec.Strategy
			}
			return st, err
		}
		if err := s.rotate(ctx, spec, &st); err != nil {
			return st, err
		}
	case !spec.Rotation.Enabled && enabled:
		if _, err := s.c.SecretsManager.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(st.SecretARN)}); err != nil {
			return st, stepErr("cancelling rotation", KindSecret, err)
		}
		st.RotationConfigured = false
	}

	if spec.BringsOwnRole() && opts.PriorRoleName != "" {
		if err := s.deleteRole(ctx, opts.PriorRoleName, names.RolePolicy); err != nil {
			return st, err
		}
	}
	return st, nil
}

// updateSecret applies description, key, tags, resource policy and value changes.
func (s *Stack) updateSecret(ctx context.Context, spec Spec, st State, sec *secretsmanager.DescribeSecretOutput, opts UpdateOptions) error {
	id := aws.String(st.SecretARN)
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
		if _, err := s.c.SecretsManager.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: id, ResourcePolicy: aws.String(spec.Policy)}); err != nil {
			return stepErr("attaching the secret's resource policy", KindSecret, err)
		}
	case opts.HadPolicy:
		if _, err := s.c.SecretsManager.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: id}); err != nil {
			return stepErr("removing the secret's resource policy", KindSecret, err)
		}
	}
	value := opts.NewValue
	if value == "" && opts.RewriteValue != nil {
		cur, err := s.c.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
		if err != nil {
			return stepErr("reading the current value to apply secret_template", KindSecret, err)
		}
		if value, err = opts.RewriteValue(aws.ToString(cur.SecretString)); err != nil {
			return stepErr("applying secret_template to the current value", KindSecret, err)
		}
	}
	if value != "" {
		if _, err := s.c.SecretsManager.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: id, SecretString: aws.String(value), ClientRequestToken: aws.String(uuid.NewString()),
		}); err != nil {
			return stepErr("writing the new secret value", KindSecret, err)
		}
	}
	return nil
}

// awsManagedKey is Secrets Manager's default key.
const awsManagedKey = "alias/aws/secretsmanager"

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

// updateFunction recreates a missing function or updates its
// configuration, code and tags. created reports a recreation.
func (s *Stack) updateFunction(ctx context.Context, spec Spec, st *State) (created bool, err error) {
	names := spec.Names()
	fn, err := FindFunction(ctx, s.c.Lambda, names.Function)
	if IsNotFound(err) {
		return true, s.createFunction(ctx, spec, st)
	}
	if err != nil {
		return false, stepErr("reading the rotation function", KindFunction, err)
	}
	c := fn.Configuration
	st.FunctionName, st.FunctionARN, st.CodeSHA256 = names.Function, aws.ToString(c.FunctionArn), aws.ToString(c.CodeSha256)
	status := c.LastUpdateStatus

	diff := functionDiff(spec, st.SecretARN, fn)
	if slices.ContainsFunc(diff, func(f string) bool { return f != "architecture" }) {
		in := &lambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String(names.Function),
			Role:         aws.String(st.RoleARN),
			Runtime:      lambdatypes.Runtime(Runtime),
			Handler:      aws.String(Handler),
			MemorySize:   aws.Int32(spec.Function.MemorySize),
			Timeout:      aws.Int32(spec.Function.Timeout),
			Environment:  &lambdatypes.Environment{Variables: s.functionEnv(spec, st.SecretARN)},
			VpcConfig:    vpcConfig(spec),
		}
		if err := s.waitUpdated(ctx, names.Function, status); err != nil {
			return false, stepErr("waiting for the rotation function", KindFunction, err)
		}
		var out *lambda.UpdateFunctionConfigurationOutput
		err := retryWhile(ctx, roleAssumableTimeout, isRoleNotAssumable, func() error {
			var err error
			out, err = s.c.Lambda.UpdateFunctionConfiguration(ctx, in)
			return err
		})
		if err != nil {
			return false, stepErr("updating the rotation function's configuration", KindFunction, err)
		}
		status = out.LastUpdateStatus
	}

	wantSHA, err := s.code.CodeSHA256(spec.Function.Architecture)
	if err != nil {
		return false, stepErr("loading the rotation function's code", KindFunction, err)
	}
	if wantSHA != st.CodeSHA256 || slices.Contains(diff, "architecture") {
		zip, err := s.code.Zip(spec.Function.Architecture)
		if err != nil {
			return false, stepErr("loading the rotation function's code", KindFunction, err)
		}
		if err := s.waitUpdated(ctx, names.Function, status); err != nil {
			return false, stepErr("waiting for the rotation function", KindFunction, err)
		}
		out, err := s.c.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName:  aws.String(names.Function),
			ZipFile:       zip,
			Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(spec.Function.Architecture)},
		})
		if err != nil {
			return false, stepErr("updating the rotation function's code", KindFunction, err)
		}
		st.CodeSHA256 = aws.ToString(out.CodeSha256)
		status = out.LastUpdateStatus
	}

	have, want := fn.Tags, spec.allTags()
	if add := changedTags(have, want); len(add) > 0 {
		if _, err := s.c.Lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(st.FunctionARN), Tags: add}); err != nil {
			return false, stepErr("tagging the rotation function", KindFunction, err)
		}
	}
	if rm := removedTags(have, want); len(rm) > 0 {
		if _, err := s.c.Lambda.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(st.FunctionARN), TagKeys: rm}); err != nil {
			return false, stepErr("untagging the rotation function", KindFunction, err)
		}
	}
	if err := s.waitUpdated(ctx, names.Function, status); err != nil {
		return false, stepErr("waiting for the rotation function", KindFunction, err)
	}
	return false, nil
}

// changedTags are the tags of want that have is missing or has with another value.
func changedTags(have, want map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			out[k] = v
		}
	}
	return out
}

// removedTags are have's keys absent from want, except AWS's own tags.
func removedTags(have, want map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok && len(k) >= 4 && k[:4] != "aws:" {
			out = append(out, k)
		}
	}
	return out
}

// deleteRole deletes the inline policy and then the role, tolerating NotFound.
func (s *Stack) deleteRole(ctx context.Context, role, policy string) error {
	if _, err := s.c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)}); err != nil && !isCode(err, codeNoSuchEntity) {
		return stepErr("deleting the role's inline policy", KindRolePolicy, err)
	}
	if _, err := s.c.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)}); err != nil && !isCode(err, codeNoSuchEntity) {
		return stepErr("deleting the rotation function's IAM role", KindRole, err)
	}
	return nil
}
