package provider

// resource_alerts.go is the glue of the optional `alerts` block: its
// schema, model, spec and plan-time values. The child itself is
// stack/alerts.go.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

type alertsModel struct {
	SNSTopicARN types.String `tfsdk:"sns_topic_arn"`
}

// alertsBlock is the schema of the `alerts` block. It has no computed
// attribute: Terraform keeps a computed value of a block the
// configuration removed, which would leave a block without its required
// topic; the rule's ARN is the top-level alert_rule_arn.
func alertsBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Get told when a rotation fails: the provider creates an EventBridge rule on the default bus " +
			"for this secret's `" + strings.Join(stack.AlertEventNames, "` and `") + "` events (Secrets Manager's events " +
			"through CloudTrail) with the SNS topic as its target, and adds one statement to the topic's policy that lets " +
			"`events.amazonaws.com` publish for this rule only (`aws:SourceArn`). The topic stays yours: removing the block " +
			"or destroying the resource deletes the rule and removes only that statement. A refresh checks that the rule " +
			"exists and sends to the topic (one `ListTargetsByRule` call, the sixth of a refresh); the rule's pattern and the " +
			"topic's policy are checked and repaired by every apply. The rule carries the resource's tags as they are when it " +
			"is created (EventBridge ignores tags when a rule is updated). A topic encrypted with a customer managed KMS key " +
			"must also let `events.amazonaws.com` use that key; one encrypted with SNS's AWS managed key (`alias/aws/sns`) " +
			"cannot receive EventBridge's deliveries, and the apply refuses it.",
		Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("sns_topic_arn"))},
		Attributes: map[string]schema.Attribute{
			"sns_topic_arn": schema.StringAttribute{
				// Required in the block: a Required attribute of a
				// SingleNestedBlock would be required without the block too.
				Optional:   true,
				Validators: []validator.String{topicARNValidator{}},
				MarkdownDescription: "Required in the block: ARN of the SNS topic that receives the events, `" + stack.TopicARNForm + "`, in the " +
					"provider's region (EventBridge sends to topics of its own region).",
			},
		},
	}
}

// alertRuleARNAttr is the schema of alert_rule_arn.
func alertRuleARNAttr() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "ARN of the EventBridge rule that sends this secret's rotation failures to `alerts.sns_topic_arn`; " +
			"empty without the `alerts` block, or when the rule was deleted outside Terraform (the next apply recreates it).",
	}
}

// topicARNValidator checks `alerts.sns_topic_arn`: the form is stack's
// (ParseTopicARN).
type topicARNValidator struct{}

var _ validator.String = topicARNValidator{}

func (topicARNValidator) Description(context.Context) string {
	return "Must be an SNS topic ARN: " + stack.TopicARNForm + "."
}

func (topicARNValidator) MarkdownDescription(context.Context) string {
	return "Must be an SNS topic ARN: `" + stack.TopicARNForm + "`."
}

func (topicARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsUnknown() || req.ConfigValue.IsNull() {
		return
	}
	if _, err := stack.ParseTopicARN(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.Append(invalidAlertTopic(req.Path, err))
	}
}

// alertSpec is the stack's alerts configuration, nil without the block.
func (m *rotatedSecretModel) alertSpec() *stack.AlertSpec {
	if m.Alerts == nil {
		return nil
	}
	return &stack.AlertSpec{TopicARN: m.Alerts.SNSTopicARN.ValueString()}
}

// alertTopic is the configured topic, "" without the block.
func (m *rotatedSecretModel) alertTopic() string {
	if m.Alerts == nil {
		return ""
	}
	return m.Alerts.SNSTopicARN.ValueString()
}

// planAlerts fills what the plan can know of alerts: alert_rule_arn,
// derived from the secret's name ("" without the block), and a topic in
// another region is refused.
func (m *rotatedSecretModel) planAlerts(pd *providerData, names stack.Names, account string, diags *diag.Diagnostics) {
	a := m.Alerts
	switch {
	case a == nil:
		m.AlertRuleARN = types.StringValue("")
		return
	case account != "":
		m.AlertRuleARN = types.StringValue(stack.AlertRuleARN(pd.partition, pd.region, account, stack.AlertRuleName(names)))
	}
	if t := a.SNSTopicARN; !t.IsUnknown() && !t.IsNull() {
		if err := stack.CheckAlertTopic(t.ValueString(), pd.region); err != nil {
			diags.Append(alertTopicRegion(path.Root("alerts").AtName("sns_topic_arn"), err))
		}
	}
}

// alertRuleARN is what a read saw of the alert rule: its ARN, or "" when
// it is missing or not configured (so the plan shows its repair).
func alertRuleARN(o *stack.Observed) string {
	if o.AlertRule == nil {
		return ""
	}
	return o.AlertRule.RuleARN
}
