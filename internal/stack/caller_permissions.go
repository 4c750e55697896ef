package stack

// Permission is one IAM action the caller (the credentials Terraform runs
// with) needs, and when.
type Permission struct {
	Action string
	When   string
}

// Situations a permission is needed in.
const (
	whenAlways   = "always"
	whenCreate   = "create, and repair of drift"
	whenUpdate   = "update"
	whenDelete   = "destroy"
	whenRead     = "refresh (plan)"
	whenPolicy   = "when `policy` is set"
	whenKMS      = "when `kms_key_id` is set"
	whenImport   = "import, and updates of `secret_template` or `initial_value_wo_version`"
	whenOwnRole  = "unless `function.role_arn` is set"
	whenRotate   = "create, and changes of the `rotation` block"
	whenDisabled = "when `rotation.enabled` turns `false`, and destroy"
	whenReplica  = "when `replica` blocks are set"
	whenAlerts   = "when `alerts` is set"
)

// CallerPermissions lists exactly the IAM actions the provider calls (one
// per client method of the stack, see clients.go) plus those AWS checks
// implicitly: iam:PassRole for CreateFunction, lambda:InvokeFunction for
// RotateSecret, the tagging actions behind Create* calls with tags, and
// KMS use for a secret under a customer key. The resource documentation
// shows this list, and a test keeps both in step with the code.
func CallerPermissions() []Permission {
	return []Permission{
		{"secretsmanager:CreateSecret", whenCreate},
		{"secretsmanager:DescribeSecret", whenAlways + " (and, for the alternating strategies, on `rotation.master_secret_arn`, to find its KMS key)"},
		{"secretsmanager:ListSecretVersionIds", whenRead + ", only when `AWSCURRENT` or `AWSPENDING` moved to a version the last refresh did not see (for `current_version_created_date` and `rotation_stuck`)"},
		{"secretsmanager:GetSecretValue", whenImport + ", and a `rotation.rotate_triggers` change that finds `AWSPENDING` left by a failed rotation (does that version hold a value?)"},
		{"secretsmanager:PutSecretValue", whenImport},
		{"secretsmanager:UpdateSecretVersionStage", "updates of `secret_template` or `initial_value_wo_version` after a rotation (clears `AWSPENDING` from the current version), adopting a secret whose unfinished rotation left `AWSPENDING` on a version without a value, and a `rotation.rotate_triggers` change that finds one"},
		{"secretsmanager:UpdateSecret", whenUpdate + " of `description` or `kms_key_id`"},
		{"secretsmanager:TagResource", whenAlways + " (tags are set at create)"},
		{"secretsmanager:UntagResource", whenUpdate},
		{"secretsmanager:PutResourcePolicy", whenPolicy},
		{"secretsmanager:GetResourcePolicy", whenPolicy + ", and import"},
		{"secretsmanager:DeleteResourcePolicy", "when `policy` is removed"},
		{"secretsmanager:RotateSecret", whenRotate},
		{"secretsmanager:CancelRotateSecret", whenDisabled},
		{"secretsmanager:DeleteSecret", whenDelete},
		{"secretsmanager:ReplicateSecretToRegions", whenReplica + ": adding a region or changing a replica's `kms_key_id` (with a customer key: `kms:Decrypt` on the primary's key, and `kms:GenerateDataKey` and `kms:Encrypt` on the replica's key)"},
		{"secretsmanager:RemoveRegionsFromReplication", whenReplica + ": removing a region or changing a replica's `kms_key_id`, and destroy"},
		{"lambda:CreateFunction", whenCreate},
		{"lambda:GetFunction", whenAlways},
		{"lambda:UpdateFunctionCode", whenUpdate + " of `function.architecture`, and provider upgrades with new function code"},
		{"lambda:UpdateFunctionConfiguration", whenUpdate + " of the `function` block, `rotated_field`, `password` or `rotation.strategy` (database strategies: also `secret_template`, `rotation.master_secret_arn` and `rotation.ca_bundle`, which the function pins)"},
		{"lambda:DeleteFunction", whenDelete},
		{"lambda:AddPermission", whenCreate},
		{"lambda:RemovePermission", whenDelete},
		{"lambda:GetPolicy", whenRead},
		{"lambda:TagResource", whenAlways + " (tags are set at create)"},
		{"lambda:UntagResource", whenUpdate},
		{"lambda:InvokeFunction", whenRotate + " (RotateSecret checks that the caller may invoke the function)"},
		{"iam:CreateRole", whenCreate + ", " + whenOwnRole},
		{"iam:GetRole", whenCreate + ", " + whenUpdate + " and " + whenDelete + " (ownership check), " + whenOwnRole},
		{"iam:TagRole", whenCreate + " and " + whenUpdate + " of `tags`, " + whenOwnRole},
		{"iam:UntagRole", whenUpdate + " of `tags`, " + whenOwnRole},
		{"iam:UpdateAssumeRolePolicy", "repair of the role's trust policy, " + whenOwnRole},
		{"iam:PutRolePolicy", whenCreate + ", " + whenOwnRole},
		{"iam:GetRolePolicy", whenRead + ", " + whenOwnRole},
		{"iam:DeleteRolePolicy", whenDelete + ", " + whenOwnRole},
		{"iam:DeleteRole", whenDelete + ", " + whenOwnRole},
		{"iam:PassRole", whenCreate + " (on the function's role, for `lambda.amazonaws.com`)"},
		{"logs:CreateLogGroup", whenCreate},
		{"logs:DescribeLogGroups", whenRead},
		{"logs:PutRetentionPolicy", whenCreate + ", when `function.log_retention_in_days` is not 0"},
		{"logs:DeleteRetentionPolicy", "when `function.log_retention_in_days` is 0"},
		{"logs:TagResource", whenCreate + " and " + whenUpdate + " of `tags`"},
		{"logs:UntagResource", whenUpdate + " of `tags`"},
		{"logs:ListTagsForResource", whenUpdate + " and " + whenDelete + " (tags and ownership of the log group)"},
		{"logs:DeleteLogGroup", whenDelete},
		{"kms:DescribeKey", whenKMS + " as a key ID or alias rather than a key ARN"},
		{"kms:GenerateDataKey", whenKMS + " (Secrets Manager encrypts new values with the caller's access)"},
		{"kms:Decrypt", whenKMS + " (import and `secret_template` updates read the value; re-encrypting the versions when `kms_key_id` changes decrypts them with the old key)"},
		{"kms:Encrypt", "on the new key when `kms_key_id` changes: without it Secrets Manager does not re-encrypt the existing versions with the new key (UpdateSecret)"},
		{"logs:FilterLogEvents", "after a rotation the provider started did not end at once: it reads the rotation function's own error lines for that rotation"},
		{"events:PutRule", whenAlerts + ": create, update and repair of the alert rule"},
		{"events:DescribeRule", whenAlerts + " or removed, and destroy (ownership check of the alert rule)"},
		{"events:ListTagsForResource", whenAlerts + " or removed, and destroy (ownership check of the alert rule)"},
		{"events:PutTargets", whenAlerts + ": the topic as the alert rule's target"},
		{"events:ListTargetsByRule", whenAlerts + ": refresh (plan) reads the alert rule's target, its one extra call; import reads `alerts` back with it (without the permission, import reads no `alerts`)"},
		{"events:RemoveTargets", "when `alerts` is removed, and destroy"},
		{"events:DeleteRule", "when `alerts` is removed, and destroy"},
		{"sns:GetTopicAttributes", whenAlerts + " or removed, and destroy: reads the topic's policy (on `alerts.sns_topic_arn`)"},
		{"sns:SetTopicAttributes", whenAlerts + " or removed, and destroy: adds or removes only the provider's statement letting EventBridge publish (on `alerts.sns_topic_arn`)"},
	}
}

// ImplicitPermissions are the CallerPermissions no client method maps to.
var ImplicitPermissions = []string{
	"lambda:InvokeFunction", "iam:PassRole", "kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt",
}
