package rotator_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator"
)

var _ rotator.SecretsManager = (*fakeSM)(nil)

// fakeSM is an in-memory Secrets Manager holding one secret, with the
// real label semantics: a label is on at most one version; moving
// AWSCURRENT puts AWSPREVIOUS on the old current version; PutSecretValue
// with a used token is a no-op for the same value and
// ResourceExistsException for another; a version without a value (the
// AWSPENDING placeholder) reads as ResourceNotFoundException.
type fakeSM struct {
	mu       sync.Mutex
	arn      string
	name     string
	others   map[string]string // name -> ARN of other secrets
	enabled  *bool
	versions map[string]*fakeVersion
	calls    []fakeCall
	// fault, when set, is consulted on every call with its 1-based index;
	// a non-nil error fails the call before (after=false) or after
	// (after=true) it takes effect.
	fault func(n int, op string) (after bool, err error)
	// beforePut runs inside PutSecretValue before it acts (to simulate a
	// concurrent writer).
	beforePut func(f *fakeSM)
}

type fakeVersion struct {
	value  *string
	stages []string
}

type fakeCall struct {
	Op string
	In any
}

// fixture describes a secret's versions: ID -> stages, and ID -> value
// (versions missing from values are placeholders without a value).
type fixture struct {
	stages map[string][]string
	values map[string]string
}

func newFake(fx fixture) *fakeSM {
	f := &fakeSM{arn: testARN, name: testName, versions: map[string]*fakeVersion{}, enabled: aws.Bool(true)}
	for id, st := range fx.stages {
		f.versions[id] = &fakeVersion{stages: slices.Clone(st)}
	}
	for id, v := range fx.values {
		if f.versions[id] == nil {
			f.versions[id] = &fakeVersion{}
		}
		f.versions[id].value = aws.String(v)
	}
	return f
}

func notFound(msg string) error {
	return &types.ResourceNotFoundException{Message: aws.String(msg)}
}

// begin records a call and returns the injected fault, if any.
func (f *fakeSM) begin(op string, in any) (after bool, err error) {
	f.calls = append(f.calls, fakeCall{Op: op, In: in})
	if f.fault != nil {
		return f.fault(len(f.calls), op)
	}
	return false, nil
}

func (f *fakeSM) resolve(id *string) error {
	if aws.ToString(id) == f.arn || aws.ToString(id) == f.name {
		return nil
	}
	return notFound("Secrets Manager can't find the specified secret.")
}

func (f *fakeSM) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin("DescribeSecret", in); err != nil {
		return nil, err
	}
	if other, ok := f.others[aws.ToString(in.SecretId)]; ok {
		return &secretsmanager.DescribeSecretOutput{ARN: aws.String(other), Name: in.SecretId, VersionIdsToStages: map[string][]string{"x": {"AWSCURRENT"}}}, nil
	}
	if err := f.resolve(in.SecretId); err != nil {
		return nil, err
	}
	return &secretsmanager.DescribeSecretOutput{
		ARN:                aws.String(f.arn),
		Name:               aws.String(f.name),
		RotationEnabled:    f.enabled,
		VersionIdsToStages: f.labels(),
	}, nil
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.begin("GetSecretValue", in); err != nil {
		return nil, err
	}
	if err := f.resolve(in.SecretId); err != nil {
		return nil, err
	}
	stage := aws.ToString(in.VersionStage)
	if in.VersionId == nil && stage == "" {
		stage = "AWSCURRENT"
	}
	for id, v := range f.versions {
		if in.VersionId != nil && *in.VersionId != id {
			continue
		}
		if stage != "" && !slices.Contains(v.stages, stage) {
			continue
		}
		if v.value == nil {
			break
		}
		return &secretsmanager.GetSecretValueOutput{
			ARN: aws.String(f.arn), Name: aws.String(f.name), VersionId: aws.String(id),
			SecretString: aws.String(*v.value), VersionStages: slices.Clone(v.stages),
		}, nil
	}
	return nil, notFound("Secrets Manager can't find the specified secret value.")
}

func (f *fakeSM) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	if f.beforePut != nil {
		f.beforePut(f)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	after, ferr := f.begin("PutSecretValue", in)
	if ferr != nil && !after {
		return nil, ferr
	}
	if err := f.resolve(in.SecretId); err != nil {
		return nil, err
	}
	if in.ClientRequestToken == nil || in.SecretString == nil {
		return nil, &types.InvalidParameterException{Message: aws.String("token and SecretString are required by this fake")}
	}
	id := *in.ClientRequestToken
	out := &secretsmanager.PutSecretValueOutput{ARN: aws.String(f.arn), Name: aws.String(f.name), VersionId: aws.String(id)}
	v := f.versions[id]
	if v != nil && v.value != nil {
		if *v.value != *in.SecretString {
			return nil, &types.ResourceExistsException{Message: aws.String("A resource with the ID you requested already exists.")}
		}
		out.VersionStages = slices.Clone(v.stages)
		return out, ferr // same token, same value: no-op
	}
	if v == nil {
		v = &fakeVersion{}
		f.versions[id] = v
	}
	v.value = aws.String(*in.SecretString)
	stages := in.VersionStages
	if stages == nil {
		stages = []string{"AWSCURRENT"}
	}
	for _, s := range stages {
		f.move(s, id)
	}
	out.VersionStages = slices.Clone(v.stages)
	return out, ferr
}

func (f *fakeSM) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	after, ferr := f.begin("UpdateSecretVersionStage", in)
	if ferr != nil && !after {
		return nil, ferr
	}
	if err := f.resolve(in.SecretId); err != nil {
		return nil, err
	}
	stage := aws.ToString(in.VersionStage)
	holder := f.holder(stage)
	if in.RemoveFromVersionId != nil && *in.RemoveFromVersionId != holder {
		return nil, &types.InvalidParameterException{Message: aws.String("RemoveFromVersionId does not hold the label")}
	}
	if in.MoveToVersionId == nil {
		if stage == "AWSCURRENT" {
			return nil, &types.InvalidParameterException{Message: aws.String("AWSCURRENT cannot be removed")}
		}
		if holder != "" {
			f.versions[holder].stages = slices.DeleteFunc(f.versions[holder].stages, func(s string) bool { return s == stage })
		}
	} else {
		to := *in.MoveToVersionId
		if f.versions[to] == nil {
			return nil, notFound("no such version")
		}
		if holder != "" && holder != to && in.RemoveFromVersionId == nil {
			return nil, &types.InvalidParameterException{Message: aws.String("the label is on another version; RemoveFromVersionId is required")}
		}
		f.move(stage, to)
	}
	return &secretsmanager.UpdateSecretVersionStageOutput{ARN: aws.String(f.arn), Name: aws.String(f.name)}, ferr
}

// move puts stage on version to, taking it off its holder; moving
// AWSCURRENT puts AWSPREVIOUS on the old current version.
func (f *fakeSM) move(stage, to string) {
	holder := f.holder(stage)
	if holder == to {
		return
	}
	if holder != "" {
		f.versions[holder].stages = slices.DeleteFunc(f.versions[holder].stages, func(s string) bool { return s == stage })
	}
	f.versions[to].stages = append(f.versions[to].stages, stage)
	if stage == "AWSCURRENT" && holder != "" {
		f.move("AWSPREVIOUS", holder)
	}
}

func (f *fakeSM) holder(stage string) string {
	for id, v := range f.versions {
		if slices.Contains(v.stages, stage) {
			return id
		}
	}
	return ""
}

// labels is VersionIdsToStages: versions with at least one label, each
// with sorted labels.
func (f *fakeSM) labels() map[string][]string {
	out := map[string][]string{}
	for id, v := range f.versions {
		if len(v.stages) > 0 {
			s := slices.Clone(v.stages)
			sort.Strings(s)
			out[id] = s
		}
	}
	return out
}

// Labels is labels under the lock.
func (f *fakeSM) Labels() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.labels()
}

// Value returns a version's value ("" and false for none).
func (f *fakeSM) Value(id string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.versions[id]
	if v == nil || v.value == nil {
		return "", false
	}
	return *v.value, true
}

// Values returns every stored value.
func (f *fakeSM) Values() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, v := range f.versions {
		if v.value != nil {
			out = append(out, *v.value)
		}
	}
	return out
}

// Calls returns how many calls of each operation were made.
func (f *fakeSM) Calls() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		out[c.Op]++
	}
	return out
}

// Writes counts PutSecretValue and UpdateSecretVersionStage calls.
func (f *fakeSM) Writes() int {
	c := f.Calls()
	return c["PutSecretValue"] + c["UpdateSecretVersionStage"]
}

// Recorded returns the recorded calls.
func (f *fakeSM) Recorded() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

var errCrash = errors.New("injected crash")

// crashAt fails the n-th call (after it takes effect when after is true).
func crashAt(n int, after bool) func(int, string) (bool, error) {
	return func(i int, op string) (bool, error) {
		if i == n {
			return after, fmt.Errorf("%w at call %d (%s)", errCrash, i, op)
		}
		return false, nil
	}
}
