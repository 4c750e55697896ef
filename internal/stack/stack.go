package stack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// CodeSource gives the rotation function's deployment package per
// architecture (internal/lambdabundle in the provider).
type CodeSource interface {
	Zip(arch string) ([]byte, error)
	CodeSHA256(arch string) (string, error)
}

// Stack manages the objects of rotated secrets through one set of clients.
type Stack struct {
	c    Clients
	code CodeSource
}

// New returns a Stack.
func New(c Clients, code CodeSource) *Stack { return &Stack{c: c, code: code} }

// Clients returns the clients the stack uses.
func (s *Stack) Clients() Clients { return s.c }

// Create makes every object in dependency order: the secret with its first
// value, the role and its policy, the log group, the function, the invoke
// permission and the rotation schedule. save is called after each child
// with what exists so far, so a failure leaves a state destroy can clean.
// initialValue is written once, by CreateSecret, and kept nowhere.
func (s *Stack) Create(ctx context.Context, spec Spec, initialValue string, save func(State)) (State, error) {
	if save == nil {
		save = func(State) {}
	}
	var st State

	out, err := s.c.SecretsManager.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:               aws.String(spec.Name),
		Description:        optString(spec.Description),
		KmsKeyId:           optString(spec.KMSKeyID),
		SecretString:       aws.String(initialValue),
		ClientRequestToken: aws.String(uuid.NewString()),
		Tags:               smTags(spec.allTags()),
	})
	if err != nil {
		return st, stepErr("creating the secret", KindSecret, err)
	}
	st.SecretARN, st.SecretName = aws.ToString(out.ARN), aws.ToString(out.Name)
	spec = spec.WithAccountFrom(st.SecretARN)
	tflog.Debug(ctx, "created secret", map[string]any{"secret_arn": st.SecretARN})
	save(st)

	if spec.Policy != "" {
		if _, err := s.c.SecretsManager.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{
			SecretId: aws.String(st.SecretARN), ResourcePolicy: aws.String(spec.Policy),
		}); err != nil {
			return st, stepErr("attaching the secret's resource policy", KindSecret, err)
		}
	}

	if err := s.ensureRole(ctx, spec, &st); err != nil {
		return st, err
	}
	save(st)

	if err := s.ensureLogGroup(ctx, spec, &st); err != nil {
		return st, err
	}
	save(st)

	if err := s.createFunction(ctx, spec, &st); err != nil {
		return st, err
	}
	save(st)

	if err := s.ensurePermission(ctx, spec, &st, nil); err != nil {
		return st, err
	}
	save(st)

	if spec.Rotation.Enabled {
		if err := s.rotate(ctx, spec, &st); err != nil {
			return st, err
		}
		save(st)
	}
	return st, nil
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
		if !hasIAMTag(role.Tags, ManagedByTag, ManagedByValue) {
			return stepErr("creating the rotation function's IAM role", KindRole,
				fmt.Errorf("role %s already exists and has no %s=%s tag, so this provider will not take it over; delete it or set function.role_arn to use it", names.Role, ManagedByTag, ManagedByValue))
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
		st.RoleARN = spec.roleARN(names.Role)
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

// rolePolicy renders the role's inline policy, resolving the KMS key ARN.
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
		LogGroupARN:     spec.logGroupARN(spec.Names().LogGroup),
		KMSKeyARN:       keyARN,
		MasterKMSKeyARN: masterKey,
		VPC:             spec.InVPC(),
	}), nil
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

// keyARN resolves a key ID, alias or ARN to the key's ARN. A key ARN is
// used as is, without a call.
func (s *Stack) keyARN(ctx context.Context, id string) (string, error) {
	if id == "" || (strings.HasPrefix(id, "arn:") && strings.Contains(id, ":key/")) {
		return id, nil
	}
	out, err := s.c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return "", stepErr("resolving kms_key_id "+id, KindKey, err)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}

// ensureLogGroup creates the log group (adopting an existing one, which
// Lambda creates itself when a function with that name once ran) and sets
// its retention.
func (s *Stack) ensureLogGroup(ctx context.Context, spec Spec, st *State) error {
	name := spec.Names().LogGroup
	_, err := s.c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName: aws.String(name), Tags: spec.allTags(),
	})
	if err != nil && !isCode(err, codeResourceExists) {
		return stepErr("creating the log group", KindLogGroup, err)
	}
	st.LogGroupName = name
	return s.setRetention(ctx, name, spec.Function.LogRetentionDays)
}

func (s *Stack) setRetention(ctx context.Context, name string, days int32) error {
	var err error
	if days > 0 {
		_, err = s.c.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
			LogGroupName: aws.String(name), RetentionInDays: aws.Int32(days),
		})
	} else {
		_, err = s.c.Logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)})
		if isCode(err, codeResourceNotFound) {
			err = nil
		}
	}
	return stepErr("setting the log group's retention", KindLogGroup, err)
}

func (s *Stack) functionEnv(spec Spec, secretARN string) map[string]string {
	return spec.FunctionConfig(secretARN).Env()
}

func vpcConfig(spec Spec) *lambdatypes.VpcConfig {
	return &lambdatypes.VpcConfig{SubnetIds: nonNil(spec.Function.SubnetIDs), SecurityGroupIds: nonNil(spec.Function.SecurityGroupIDs)}
}

// createFunction uploads the embedded bundle, retrying only while the new
// role is not yet assumable by Lambda.
func (s *Stack) createFunction(ctx context.Context, spec Spec, st *State) error {
	names := spec.Names()
	zip, err := s.code.Zip(spec.Function.Architecture)
	if err != nil {
		return stepErr("loading the rotation function's code", KindFunction, err)
	}
	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(names.Function),
		Role:          aws.String(st.RoleARN),
		Runtime:       lambdatypes.Runtime(Runtime),
		Handler:       aws.String(Handler),
		Code:          &lambdatypes.FunctionCode{ZipFile: zip},
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(spec.Function.Architecture)},
		MemorySize:    aws.Int32(spec.Function.MemorySize),
		Timeout:       aws.Int32(spec.Function.Timeout),
		Description:   aws.String("Rotates secret " + spec.Name + " (managed by terraform-provider-rotator)"),
		Environment:   &lambdatypes.Environment{Variables: s.functionEnv(spec, st.SecretARN)},
		Tags:          spec.allTags(),
	}
	if spec.InVPC() {
		in.VpcConfig = vpcConfig(spec)
	}
	var out *lambda.CreateFunctionOutput
	err = retryWhile(ctx, roleAssumableTimeout, isRoleNotAssumable, func() error {
		var err error
		out, err = s.c.Lambda.CreateFunction(ctx, in)
		return err
	})
	if err != nil {
		return stepErr("creating the rotation function", KindFunction, err)
	}
	st.FunctionName, st.FunctionARN, st.CodeSHA256 = names.Function, aws.ToString(out.FunctionArn), aws.ToString(out.CodeSha256)
	if out.State != "" && out.State != lambdatypes.StateActive {
		w := lambda.NewFunctionActiveV2Waiter(s.c.Lambda)
		if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(names.Function)}, functionReadyTimeout); err != nil {
			return stepErr("waiting for the rotation function to become active", KindFunction, err)
		}
	}
	return nil
}

// waitUpdated waits for an in-progress function update to finish.
func (s *Stack) waitUpdated(ctx context.Context, name string, status lambdatypes.LastUpdateStatus) error {
	if status == "" || status == lambdatypes.LastUpdateStatusSuccessful {
		return nil
	}
	w := lambda.NewFunctionUpdatedV2Waiter(s.c.Lambda)
	return w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, functionReadyTimeout)
}

// ensurePermission adds the invoke permission for Secrets Manager unless
// existing already matches; a mismatching statement is replaced.
func (s *Stack) ensurePermission(ctx context.Context, spec Spec, st *State, existing *PermissionStatement) error {
	names := spec.Names()
	if existing != nil {
		if existing.Matches(spec.Account, st.SecretARN) {
			return nil
		}
		if _, err := s.c.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{
			FunctionName: aws.String(names.Function), StatementId: aws.String(names.StatementID),
		}); err != nil && !isCode(err, codeResourceNotFound) {
			return stepErr("replacing the invoke permission", KindPermission, err)
		}
	}
	_, err := s.c.Lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName:  aws.String(names.Function),
		StatementId:   aws.String(names.StatementID),
		Action:        aws.String("lambda:InvokeFunction"),
		Principal:     aws.String("secretsmanager.amazonaws.com"),
		SourceAccount: aws.String(spec.Account),
		SourceArn:     aws.String(st.SecretARN),
	})
	return stepErr("allowing Secrets Manager to invoke the rotation function", KindPermission, err)
}

// rotationRules renders exactly one of days and expression, plus duration.
func rotationRules(r RotationSpec) *smtypes.RotationRulesType {
	rules := &smtypes.RotationRulesType{Duration: optString(r.Duration)}
	if r.ScheduleExpression != "" {
		rules.ScheduleExpression = aws.String(r.ScheduleExpression)
	} else {
		rules.AutomaticallyAfterDays = aws.Int64(r.AutomaticallyAfterDays)
	}
	return rules
}

// rotate configures rotation (RotateSecret), retrying only while the new
// invoke permission propagates. One token is used for all attempts, so
// retries stay idempotent.
func (s *Stack) rotate(ctx context.Context, spec Spec, st *State) error {
	in := &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(st.SecretARN),
		RotationLambdaARN:  aws.String(st.FunctionARN),
		RotationRules:      rotationRules(spec.Rotation),
		RotateImmediately:  aws.Bool(spec.Rotation.RotateImmediately),
		ClientRequestToken: aws.String(uuid.NewString()),
	}
	err := retryWhile(ctx, invokePermissionTimeout, isInvokeDenied, func() error {
		_, err := s.c.SecretsManager.RotateSecret(ctx, in)
		return err
	})
	if err != nil {
		return stepErr("configuring rotation (RotateSecret)", KindSecret, err)
	}
	st.RotationConfigured = true
	return nil
}

// CheckPending returns a PendingRotationError when AWSPENDING sits on a
// version that is not AWSCURRENT.
func CheckPending(secret *secretsmanager.DescribeSecretOutput) error {
	ids := slices.Sorted(maps.Keys(secret.VersionIdsToStages))
	for _, id := range ids {
		stages := secret.VersionIdsToStages[id]
		if slices.Contains(stages, "AWSPENDING") && !slices.Contains(stages, "AWSCURRENT") {
			e := &PendingRotationError{SecretARN: aws.ToString(secret.ARN), VersionID: id,
				SetSecretDone: slices.Contains(stages, config.StageSetDone)}
			for cid, cs := range secret.VersionIdsToStages {
				if slices.Contains(cs, "AWSCURRENT") {
					e.CurrentVersionID = cid
				}
			}
			return e
		}
	}
	return nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func smTags(m map[string]string) []smtypes.Tag {
	out := make([]smtypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, smtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func iamTags(m map[string]string) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func hasIAMTag(tags []iamtypes.Tag, k, v string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == k && aws.ToString(t.Value) == v {
			return true
		}
	}
	return false
}

// SecretTags converts Secrets Manager tags to a map.
func SecretTags(tags []smtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}
