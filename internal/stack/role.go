package stack

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// FindRole gets a role.
func FindRole(ctx context.Context, c IAMAPI, name string) (*iamtypes.Role, error) {
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if isCode(err, codeNoSuchEntity) {
		return nil, &NotFoundError{Kind: KindRole, ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.Role == nil {
		return nil, &NotFoundError{Kind: KindRole, ID: name}
	}
	return out.Role, nil
}

// FindRolePolicy returns the decoded document of a role's inline policy.
// A missing role is reported as a missing policy.
func FindRolePolicy(ctx context.Context, c IAMAPI, role, policy string) (string, error) {
	out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(policy)})
	if isCode(err, codeNoSuchEntity) {
		return "", &NotFoundError{Kind: KindRolePolicy, ID: role + "/" + policy, Err: err}
	}
	if err != nil {
		return "", err
	}
	doc := aws.ToString(out.PolicyDocument)
	if d, err := url.QueryUnescape(doc); err == nil && strings.HasPrefix(strings.TrimSpace(d), "{") {
		doc = d
	}
	return doc, nil
}

// ensureRole creates (or repairs) the stack's role and inline policy, or
// records the user's role.
func (s *Stack) ensureRole(ctx context.Context, spec Spec, st *State) error {
	if spec.BringsOwnRole() {
		st.RoleARN, st.RoleName = spec.Function.RoleARN, ""
		return nil
	}
	names := spec.Names()
	trust := TrustPolicyDocument(spec.Account)
	role, err := FindRole(ctx, s.c.IAM, names.Role)
	switch {
	case IsNotFound(err):
		out, err := s.c.IAM.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName:                 aws.String(names.Role),
			AssumeRolePolicyDocument: aws.String(trust),
			Description:              aws.String("Rotation function role for secret " + spec.Name + " (managed by terraform-provider-rotator)"),
			Tags:                     iamTags(spec.allTags()),
		})
		if err != nil {
			return stepErr("creating the rotation function's IAM role", KindRole, err)
		}
		role = out.Role
	case err != nil:
		return stepErr("reading the rotation function's IAM role", KindRole, err)
	default:
		if !isOwned(roleTags(role.Tags)) {
			return stepErr("creating the rotation function's IAM role", KindRole,
				fmt.Errorf("role %s already exists and has no %s=%s tag, so this provider will not take it over; delete it or set function.role_arn to use it", names.Role, ManagedByTag, ManagedByValue))
		}
		if err := s.tagRole(ctx, names.Role, roleTags(role.Tags), spec.allTags()); err != nil {
			return err
		}
		if !PolicyEqual(aws.ToString(role.AssumeRolePolicyDocument), trust) {
			if _, err := s.c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
				RoleName: aws.String(names.Role), PolicyDocument: aws.String(trust),
			}); err != nil {
				return stepErr("repairing the role's trust policy", KindRole, err)
			}
		}
	}
	st.RoleARN, st.RoleName = aws.ToString(role.Arn), names.Role
	if st.RoleARN == "" {
		st.RoleARN = spec.roleARN()
	}
	doc, err := s.rolePolicy(ctx, spec, st.SecretARN)
	if err != nil {
		return err
	}
	if _, err := s.c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(names.Role), PolicyName: aws.String(names.RolePolicy), PolicyDocument: aws.String(doc),
	}); err != nil {
		return stepErr("attaching the role's inline policy", KindRolePolicy, err)
	}
	return nil
}

// rolePolicy renders the role's inline policy, resolving the KMS key ARNs
// (the secret's and the master secret's).
func (s *Stack) rolePolicy(ctx context.Context, spec Spec, secretARN string) (string, error) {
	keyARN, err := s.keyARN(ctx, spec.KMSKeyID)
	if err != nil {
		return "", err
	}
	masterKey, err := s.masterKeyARN(ctx, spec)
	if err != nil {
		return "", err
	}
	return RolePolicyDocument(PolicyInput{
		Partition:       spec.partition(),
		SecretARN:       secretARN,
		MasterSecretARN: spec.MasterSecretARN,
		LogGroupARN:     spec.logGroupARN(),
		KMSKeyARN:       keyARN,
		MasterKMSKeyARN: masterKey,
		VPC:             spec.InVPC(),
	}), nil
}

// tagRole converges the role's tags from have to want.
func (s *Stack) tagRole(ctx context.Context, role string, have, want map[string]string) error {
	if add := changedTags(have, want); len(add) > 0 {
		if _, err := s.c.IAM.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(role), Tags: iamTags(add)}); err != nil {
			return stepErr("tagging the rotation function's IAM role", KindRole, err)
		}
	}
	if rm := removedTags(have, want); len(rm) > 0 {
		if _, err := s.c.IAM.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(role), TagKeys: rm}); err != nil {
			return stepErr("untagging the rotation function's IAM role", KindRole, err)
		}
	}
	return nil
}

// deleteOwnedRole deletes the role and its inline policy when the role
// carries ManagedByTag. A role of that name without it is not ours (create
// refused to take it over), so it is left alone.
func (s *Stack) deleteOwnedRole(ctx context.Context, role, policy string) error {
	r, err := FindRole(ctx, s.c.IAM, role)
	switch {
	case IsNotFound(err):
		return nil
	case err != nil:
		return stepErr("reading the rotation function's IAM role", KindRole, err)
	case !isOwned(roleTags(r.Tags)):
		tflog.Warn(ctx, "leaving an IAM role this provider does not own", map[string]any{"role": role})
		return nil
	}
	return s.deleteRole(ctx, role, policy)
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
