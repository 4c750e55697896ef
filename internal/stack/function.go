package stack

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// CodeSource gives the rotation function's deployment package per
// architecture (internal/lambdabundle in the provider).
type CodeSource interface {
	Zip(arch string) ([]byte, error)
	CodeSHA256(arch string) (string, error)
}

// FindFunction gets a function's configuration, code location and tags.
func FindFunction(ctx context.Context, c LambdaAPI, name string) (*lambda.GetFunctionOutput, error) {
	out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindFunction, ID: name, Err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.Configuration == nil {
		return nil, &NotFoundError{Kind: KindFunction, ID: name}
	}
	return out, nil
}

func vpcConfig(spec Spec) *lambdatypes.VpcConfig {
	return &lambdatypes.VpcConfig{SubnetIds: nonNil(spec.Function.SubnetIDs), SecurityGroupIds: nonNil(spec.Function.SecurityGroupIDs)}
}

func functionEnv(spec Spec, secretARN string) *lambdatypes.Environment {
	return &lambdatypes.Environment{Variables: spec.FunctionConfig(secretARN).Env()}
}

// createFunction uploads the embedded bundle, retrying only while the new
// role is not yet assumable by Lambda.
func (s *Stack) createFunction(ctx context.Context, spec Spec, st *State) error {
	names := spec.Names()
	zip, shared, err := s.withSharedZip(spec.Function.Architecture)
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
		Environment:   functionEnv(spec, st.SecretARN),
		Tags:          spec.allTags(),
	}
	if spec.InVPC() {
		in.VpcConfig = vpcConfig(spec)
	}
	var out *lambda.CreateFunctionOutput
	err = retryWhile(ctx, roleAssumableTimeout, isRoleNotAssumable, func() error {
		var err error
		out, err = s.c.Lambda.CreateFunction(ctx, in, shared)
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

// createOrAdoptFunction creates the function or, when one of its name
// exists and carries ManagedByTag (left behind when the secret was deleted
// outside Terraform), adopts it and converges it to spec. created reports
// a new function.
func (s *Stack) createOrAdoptFunction(ctx context.Context, spec Spec, st *State) error {
	err := s.createFunction(ctx, spec, st)
	if !isCode(err, codeResourceConflict) {
		return err
	}
	name := spec.Names().Function
	fn, ferr := FindFunction(ctx, s.c.Lambda, name)
	if ferr != nil {
		return err
	}
	if !isOwned(fn.Tags) {
		return stepErr("creating the rotation function", KindFunction,
			fmt.Errorf("function %s already exists and has no %s=%s tag, so this provider will not take it over; delete it, or choose another secret name", name, ManagedByTag, ManagedByValue))
	}
	tflog.Info(ctx, "adopting the rotation function this provider left behind", map[string]any{"function": name})
	_, err = s.ensureFunction(ctx, spec, st)
	return err
}

// waitUpdated waits for an in-progress function update to finish.
func (s *Stack) waitUpdated(ctx context.Context, name string, status lambdatypes.LastUpdateStatus) error {
	if status == "" || status == lambdatypes.LastUpdateStatusSuccessful {
		return nil
	}
	w := lambda.NewFunctionUpdatedV2Waiter(s.c.Lambda)
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, functionReadyTimeout); err != nil {
		return stepErr("waiting for the rotation function", KindFunction, err)
	}
	return nil
}

// ensureFunction recreates a missing function or updates its
// configuration, code and tags. created reports a recreation.
func (s *Stack) ensureFunction(ctx context.Context, spec Spec, st *State) (created bool, err error) {
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
	if slices.ContainsFunc(diff, func(f string) bool { return f != fieldArchitecture }) {
		if status, err = s.updateConfiguration(ctx, spec, st, status); err != nil {
			return false, err
		}
	}
	wantSHA, err := s.code.CodeSHA256(spec.Function.Architecture)
	if err != nil {
		return false, stepErr("loading the rotation function's code", KindFunction, err)
	}
	if wantSHA != st.CodeSHA256 || slices.Contains(diff, fieldArchitecture) {
		if status, err = s.updateCode(ctx, spec, st, status); err != nil {
			return false, err
		}
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
	return false, s.waitUpdated(ctx, names.Function, status)
}

// updateConfiguration sets every configurable setting of the function.
func (s *Stack) updateConfiguration(ctx context.Context, spec Spec, st *State, status lambdatypes.LastUpdateStatus) (lambdatypes.LastUpdateStatus, error) {
	name := spec.Names().Function
	in := &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name),
		Role:         aws.String(st.RoleARN),
		Runtime:      lambdatypes.Runtime(Runtime),
		Handler:      aws.String(Handler),
		MemorySize:   aws.Int32(spec.Function.MemorySize),
		Timeout:      aws.Int32(spec.Function.Timeout),
		Environment:  functionEnv(spec, st.SecretARN),
		VpcConfig:    vpcConfig(spec),
	}
	if err := s.waitUpdated(ctx, name, status); err != nil {
		return status, err
	}
	var out *lambda.UpdateFunctionConfigurationOutput
	err := retryWhile(ctx, roleAssumableTimeout, isRoleNotAssumable, func() error {
		var err error
		out, err = s.c.Lambda.UpdateFunctionConfiguration(ctx, in)
		return err
	})
	if err != nil {
		return status, stepErr("updating the rotation function's configuration", KindFunction, err)
	}
	return out.LastUpdateStatus, nil
}

// updateCode uploads the bundle of the wanted architecture.
func (s *Stack) updateCode(ctx context.Context, spec Spec, st *State, status lambdatypes.LastUpdateStatus) (lambdatypes.LastUpdateStatus, error) {
	name := spec.Names().Function
	zip, shared, err := s.withSharedZip(spec.Function.Architecture)
	if err != nil {
		return status, stepErr("loading the rotation function's code", KindFunction, err)
	}
	if err := s.waitUpdated(ctx, name, status); err != nil {
		return status, err
	}
	out, err := s.c.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName:  aws.String(name),
		ZipFile:       zip,
		Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(spec.Function.Architecture)},
	}, shared)
	if err != nil {
		return status, stepErr("updating the rotation function's code", KindFunction, err)
	}
	st.CodeSHA256 = aws.ToString(out.CodeSha256)
	return out.LastUpdateStatus, nil
}

// deleteOwnedFunction deletes the function (and with it the invoke
// permission) when it carries ManagedByTag; one without it is not ours and
// is left alone.
func (s *Stack) deleteOwnedFunction(ctx context.Context, names Names) error {
	fn, err := FindFunction(ctx, s.c.Lambda, names.Function)
	switch {
	case IsNotFound(err):
		return nil
	case err != nil:
		return stepErr("reading the rotation function", KindFunction, err)
	case !isOwned(fn.Tags):
		tflog.Warn(ctx, "leaving a function this provider does not own", map[string]any{"function": names.Function})
		return nil
	}
	if err := s.removePermission(ctx, names); err != nil {
		return err
	}
	if _, err := s.c.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(names.Function)}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the rotation function", KindFunction, err)
	}
	return nil
}

// Function settings functionDiff names (in drift messages).
const (
	fieldMemorySize   = "memory_size"
	fieldTimeout      = "timeout"
	fieldArchitecture = "architecture"
	fieldRole         = "role"
	fieldEnvironment  = "environment"
	fieldVPC          = "VPC configuration"
	fieldRuntime      = "runtime"
)

// functionDiff names the function settings that differ from spec (code
// is compared through code_sha256 by the caller).
func functionDiff(spec Spec, secretARN string, fn *lambda.GetFunctionOutput) []string {
	c := fn.Configuration
	var out []string
	if aws.ToInt32(c.MemorySize) != spec.Function.MemorySize {
		out = append(out, fieldMemorySize)
	}
	if aws.ToInt32(c.Timeout) != spec.Function.Timeout {
		out = append(out, fieldTimeout)
	}
	if len(c.Architectures) != 1 || string(c.Architectures[0]) != spec.Function.Architecture {
		out = append(out, fieldArchitecture)
	}
	if aws.ToString(c.Role) != spec.functionRoleARN() {
		out = append(out, fieldRole)
	}
	var env map[string]string
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	if !maps.Equal(env, spec.FunctionConfig(secretARN).Env()) {
		out = append(out, fieldEnvironment)
	}
	var subnets, sgs []string
	if c.VpcConfig != nil {
		subnets, sgs = c.VpcConfig.SubnetIds, c.VpcConfig.SecurityGroupIds
	}
	if !sameSet(subnets, spec.Function.SubnetIDs) || !sameSet(sgs, spec.Function.SecurityGroupIDs) {
		out = append(out, fieldVPC)
	}
	if c.Runtime != Runtime || aws.ToString(c.Handler) != Handler {
		out = append(out, fieldRuntime)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
