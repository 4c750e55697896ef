package provider

// resource_alerts.go is the glue of the optional `alerts` block: its
// schema, model, spec and plan-time values. The child itself is
// stack/alerts.go.

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

type alertsModel struct {
	SNSTopicARN types.String `tfsdk:"sns_topic_arn"`
	RuleARN     types.String `tfsdk:"rule_arn"`
}

// alertsBlock is the schema of the `alerts` block.
func alertsBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Get told when a rotation fails: the provider creates an EventBridge rule on the default bus " +
			"for this secret's `" + strings.Join(stack.AlertEventNames, "` and `") + "` events (Secrets Manager's events " +
			"through CloudTrail) with the SNS topic as its target, and adds one statement to the topic's policy that lets " +
			"`events.amazonaws.com` publish for this rule only (`aws:SourceArn`). The topic stays yours: removing the block " +
			"or destroying the resource deletes the rule and removes only that statement. A refresh checks that the rule " +
			"exists and sends to the topic (one `ListTargetsByRule` call, the sixth of a refresh); the rule's pattern and the " +
			"topic's policy are checked and repaired by every apply. A topic encrypted with a customer-managed KMS key must " +
			"also let `events.amazonaws.com` use that key.",
		Attributes: map[string]schema.Attribute{
			"sns_topic_arn": schema.StringAttribute{
				Required:   true,
				Validators: []validator.String{topicARNValidator{}},
				MarkdownDescription: "ARN of the SNS topic that receives the events, `" + stack.TopicARNForm + "`, in the " +
					"provider's region (EventBridge sends to topics of its own region).",
			},
			"rule_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the EventBridge rule that sends this secret's rotation failures to the topic.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
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

// planAlerts fills what the plan can know of the block: the rule's ARN,
// derived from the secret's name, and a topic in another region is refused.
func (m *rotatedSecretModel) planAlerts(pd *providerData, names stack.Names, account string, diags *diag.Diagnostics) {
	a := m.Alerts
	if a == nil {
		return
	}
	if t := a.SNSTopicARN; !t.IsUnknown() && !t.IsNull() {
		if err := stack.CheckAlertTopic(t.ValueString(), pd.region); err != nil {
			diags.Append(alertTopicRegion(path.Root("alerts").AtName("sns_topic_arn"), err))
		}
	}
	if account != "" {
		a.RuleARN = types.StringValue(stack.AlertRuleARN(pd.partition, pd.region, account, stack.AlertRuleName(names)))
	}
}

// observeAlerts sets the block's computed rule_arn from a read ("" when
// the rule is missing, so the plan shows its repair).
func (m *rotatedSecretModel) observeAlerts(o *stack.Observed, afterApply bool) {
	if m.Alerts == nil {
		return
	}
	arn := ""
	if o.AlertRule != nil {
		arn = o.AlertRule.RuleARN
	}
	set(afterApply, &m.Alerts.RuleARN, types.StringValue(arn))
}
