package provider

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

var _ resource.ResourceWithIdentity = (*rotatedSecretResource)(nil)

// identityModel is the resource identity: the secret's account, region and
// ARN (Terraform and OpenTofu >= 1.12 import by it).
type identityModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Region    types.String `tfsdk:"region"`
	ARN       types.String `tfsdk:"arn"`
}

func (r *rotatedSecretResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"account_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "AWS account of the secret; when given on import, it must be the provider's.",
			},
			"region": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "Region of the secret; when given on import, it must be the provider's.",
			},
			"arn": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "ARN of the secret.",
			},
		},
	}
}

// identityOf is the identity of the secret secretARN.
func identityOf(secretARN string) identityModel {
	id := identityModel{AccountID: types.StringNull(), Region: types.StringNull(), ARN: types.StringValue(secretARN)}
	if a, err := arn.Parse(secretARN); err == nil {
		id.AccountID, id.Region = types.StringValue(a.AccountID), types.StringValue(a.Region)
	}
	return id
}

// setIdentity records the identity of secretARN. It does nothing for a
// Terraform without identity support (nil) or before the secret exists.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, secretARN string) diag.Diagnostics {
	if identity == nil || secretARN == "" {
		return nil
	}
	m := identityOf(secretARN)
	return identity.Set(ctx, &m)
}

// importID returns what to import: the import id (ARN or name), or the
// identity's ARN, checked against the provider's account and region.
func (r *rotatedSecretResource) importID(ctx context.Context, req resource.ImportStateRequest) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	var id identityModel
	diags := req.Identity.Get(ctx, &id)
	if diags.HasError() {
		return "", diags
	}
	if a := id.AccountID.ValueString(); a != "" && r.pd.account != "" && a != r.pd.account {
		diags.Append(accountMismatch(a, r.pd.account))
		return "", diags
	}
	if rg := id.Region.ValueString(); rg != "" && rg != r.pd.region {
		diags.Append(errorDiag("Cannot import the rotated secret", "", &stack.OtherRegionError{SecretARN: id.ARN.ValueString(), SecretRegion: rg, ProviderRegion: r.pd.region}))
		return "", diags
	}
	return id.ARN.ValueString(), diags
}
