package stack

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// TestRetryPredicates: each predicate accepts the transient answers AWS
// documents for its operation and nothing else, so a real error (a bad
// role, a missing function) fails at once instead of after the timeout.
func TestRetryPredicates(t *testing.T) {
	t.Parallel()
	apiErr := func(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }
	preds := map[string]func(error) bool{
		"role":       isRoleNotAssumable,
		"busy":       isFunctionBusy,
		"config":     isFunctionConfigTransient,
		"invoke":     isInvokeDenied,
		"deleteRole": isRoleDeleteConflict,
	}
	tests := []struct {
		name string
		err  error
		want []string // predicates that accept err
	}{
		{"role not assumable", apiErr("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."), []string{"config", "role"}},
		{"VPC role not ready", apiErr("InvalidParameterValueException", "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"), []string{"config", "role"}},
		{"other invalid parameter", apiErr("InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes"), nil},
		{"function pending", apiErr("ResourceConflictException", "The operation cannot be performed at this time. The function is currently in the following state: Pending"), []string{"busy", "config"}},
		{"update in progress", apiErr("ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f"), []string{"busy", "config"}},
		{"duplicate statement", apiErr("ResourceConflictException", "The statement id (sm) provided already exists. Please specify a new statement id, or remove the existing statement."), nil},
		{"invoke permission propagating", apiErr("AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."), []string{"invoke"}},
		{"role propagating for Secrets Manager", apiErr("InvalidRequestException", "Secrets Manager is unable to assume role"), []string{"invoke"}},
		{"rotation already running", apiErr("InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted."), nil},
		{"caller denied", apiErr("AccessDeniedException", "User: x is not authorized to perform: secretsmanager:RotateSecret"), nil},
		{"policy deletion propagating", apiErr("DeleteConflict", "Cannot delete entity, must delete policies first."), []string{"deleteRole"}},
		{"attachment propagating", apiErr("DeleteConflict", "Cannot delete entity, must detach all policies first."), []string{"deleteRole"}},
		{"role in use by an instance profile", apiErr("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."), nil},
		{"not an API error", errors.New("connection refused"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, name := range []string{"busy", "config", "deleteRole", "invoke", "role"} {
				if preds[name](tt.err) {
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("predicates accepting the error (-want +got):\n%s", diff)
			}
		})
	}
}
