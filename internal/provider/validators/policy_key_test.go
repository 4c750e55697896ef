package validators

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestPolicyJSONAndKMSKeyID checks the plan-time forms against the KMS
// API reference's KeyId examples and PutResourcePolicy's document shape.
func TestPolicyJSONAndKMSKeyID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v       validator.String
		value   string
		wantErr bool
	}{
		{"policy object", NewPolicyJSON(), `{"Version":"2012-10-17","Statement":[]}`, false},
		{"policy not JSON", NewPolicyJSON(), `Version: 2012-10-17`, true},
		{"policy array", NewPolicyJSON(), `[{"Effect":"Allow"}]`, true},
		{"policy without Statement", NewPolicyJSON(), `{"Version":"2012-10-17"}`, true},
		{"key id", NewKMSKeyID(), "1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"multi-region key id", NewKMSKeyID(), "mrk-1234abcd12ab34cd56ef1234567890ab", false},
		{"key arn", NewKMSKeyID(), "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"alias name", NewKMSKeyID(), "alias/ExampleAlias", false},
		{"alias arn", NewKMSKeyID(), "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias", false},
		{"gov key arn", NewKMSKeyID(), "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"bare alias without prefix", NewKMSKeyID(), "ExampleAlias", true},
		{"secret arn", NewKMSKeyID(), "arn:aws:secretsmanager:us-east-1:111122223333:secret:x", true},
		{"truncated uuid", NewKMSKeyID(), "1234abcd-12ab-34cd-56ef", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			tc.v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: types.StringValue(tc.value)}, resp)
			if got := resp.Diagnostics.HasError(); got != tc.wantErr {
				t.Errorf("error = %t, want %t: %v", got, tc.wantErr, resp.Diagnostics)
			}
		})
	}
}
