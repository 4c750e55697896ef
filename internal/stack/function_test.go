package stack

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// fakeLambda fails CreateFunction with errs in turn, then succeeds.

type fakeLambda struct {
	LambdaAPI
	errs  []error
	calls int
}

func (f *fakeLambda) CreateFunction(context.Context, *lambda.CreateFunctionInput, ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error) {
	f.calls++
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &lambda.CreateFunctionOutput{FunctionArn: aws.String("arn:f"), State: "Active"}, nil
}

type fakeCode struct{}

func (fakeCode) Zip(string) ([]byte, error) { return []byte("zip"), nil }

func (fakeCode) CodeSHA256(string) (string, error) { return "sha", nil }

// TestCreateFunctionRetriesOnlyIAMPropagation retries the named IAM

func TestCreateFunctionRetriesOnlyIAMPropagation(t *testing.T) {
	t.Parallel()
	notAssumable := &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "The role defined for the function cannot be assumed by Lambda."}
	otherInvalid := &smithy.GenericAPIError{Code: "InvalidParameterValueException", Message: "Unzipped size must be smaller than 262144000 bytes"}
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"propagation then success", []error{notAssumable, notAssumable}, 3, false},
		{"other error", []error{otherInvalid}, 1, true},
		{"access denied", []error{&smithy.GenericAPIError{Code: "AccessDeniedException"}}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fl := &fakeLambda{errs: tc.errs}
			s := New(Clients{Lambda: fl}, fakeCode{})
			st := State{RoleARN: "arn:r", SecretARN: "arn:s"}
			err := s.createFunction(context.Background(), Spec{Name: "n", Region: "us-east-1", Function: FunctionSpec{Architecture: "x86_64"}}, &st)
			if (err != nil) != tc.wantErr || fl.calls != tc.wantCalls {
				t.Errorf("err = %v, calls = %d; want error %t, %d calls", err, fl.calls, tc.wantErr, tc.wantCalls)
			}
		})
	}
}
