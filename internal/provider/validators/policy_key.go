package validators

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ validator.String = (*policyJSONValidator)(nil)
	_ validator.String = (*kmsKeyIDValidator)(nil)
)

// policyJSONValidator checks that a resource policy is a JSON object.
type policyJSONValidator struct{}

// NewPolicyJSON returns the validator of `policy`: a JSON object, as
// PutResourcePolicy requires (AWS checks the grammar itself).
func NewPolicyJSON() validator.String { return &policyJSONValidator{} }

func (*policyJSONValidator) Description(context.Context) string {
	return "Must be a JSON policy document (an object), for example from jsonencode()."
}

func (*policyJSONValidator) MarkdownDescription(context.Context) string {
	return "Must be a JSON policy document (an object), for example from `jsonencode()` or `aws_iam_policy_document`."
}

func (*policyJSONValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(req.ConfigValue.ValueString()), &doc); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid resource policy",
			fmt.Sprintf("%s must be a JSON policy document (an object with \"Version\" and \"Statement\"), for example from jsonencode(): %v.", req.Path, err))
		return
	}
	if _, ok := doc["Statement"]; !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid resource policy",
			fmt.Sprintf("%s is JSON but has no \"Statement\": a resource policy is an object with \"Version\" and \"Statement\".", req.Path))
	}
}

// The forms of a KMS key identifier (KMS API reference, KeyId): a key ID
// (a UUID, or mrk-… for a multi-Region key), a key ARN, an alias name
// (alias/…) or an alias ARN.
var (
	kmsKeyIDRegexp = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	kmsKeyARN      = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})$`)
	kmsAliasName   = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
	kmsAliasARN    = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// KMSKeyForms describes the accepted forms, for the validator and the
// attribute's description.
const KMSKeyForms = "a key ID (`1234abcd-12ab-34cd-56ef-1234567890ab`, or `mrk-…` for a multi-Region key), a key ARN, an alias name (`alias/NAME`) or an alias ARN"

// kmsKeyIDValidator checks the form of a KMS key identifier.
type kmsKeyIDValidator struct{}

// NewKMSKeyID returns the validator of `kms_key_id`: one of KMSKeyForms.
func NewKMSKeyID() validator.String { return &kmsKeyIDValidator{} }

func (*kmsKeyIDValidator) Description(context.Context) string {
	return "Must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN."
}

func (*kmsKeyIDValidator) MarkdownDescription(context.Context) string {
	return "Must be " + KMSKeyForms + "."
}

func (*kmsKeyIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	v := req.ConfigValue.ValueString()
	for _, re := range []*regexp.Regexp{kmsKeyIDRegexp, kmsKeyARN, kmsAliasName, kmsAliasARN} {
		if re.MatchString(v) {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid KMS key",
		fmt.Sprintf("%s must be %s; got %q.", req.Path, KMSKeyForms, v))
}
