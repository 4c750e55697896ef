package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
)

// userStatement is a statement the topic's owner put in its policy; the
// provider must leave it alone.
const userStatement = `{"Sid":"OwnersOwn","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"%s"}`

// alertTopic creates an SNS topic as its owner would (with the SDK, outside
// Terraform), adding a statement of their own to its default policy.
func alertTopic(t *testing.T, env *acctest.Env, name string) string {
	t.Helper()
	ctx := context.Background()
	out, err := env.SDK.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	arn := aws.ToString(out.TopicArn)
	t.Cleanup(func() { // after destroy; the topic is the user's, not the provider's
		_, _ = env.SDK.SNS.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: aws.String(arn)})
	})
	pol := topicPolicy(t, env, arn)
	pol.Statement = append(pol.Statement, json.RawMessage(fmt.Sprintf(userStatement, arn)))
	b, _ := json.Marshal(pol)
	if _, err := env.SDK.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(string(b)),
	}); err != nil {
		t.Fatalf("SetTopicAttributes: %v", err)
	}
	return arn
}

type snsPolicy struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

func topicPolicy(t *testing.T, env *acctest.Env, arn string) snsPolicy {
	t.Helper()
	attrs, err := env.SDK.SNS.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("GetTopicAttributes %s: %v", arn, err)
	}
	var p snsPolicy
	if err := json.Unmarshal([]byte(attrs.Attributes["Policy"]), &p); err != nil {
		t.Fatalf("topic policy: %v", err)
	}
	return p
}

// eventsStatements are the topic policy's statements that let EventBridge
// publish, and whether the owner's own statements are all still there.
func eventsStatements(t *testing.T, env *acctest.Env, topicARN string) (events []string, ownersKept bool) {
	t.Helper()
	var sids []string
	for _, raw := range topicPolicy(t, env, topicARN).Statement {
		var s struct {
			Sid       string
			Principal map[string]any
			Condition map[string]map[string]string
		}
		_ = json.Unmarshal(raw, &s)
		sids = append(sids, s.Sid)
		if s.Principal["Service"] == "events.amazonaws.com" {
			events = append(events, s.Condition["ArnEquals"]["aws:SourceArn"])
		}
	}
	return events, strings.Contains(strings.Join(sids, ","), "__default_statement_ID") && strings.Contains(strings.Join(sids, ","), "OwnersOwn")
}

// ruleARNFromState is alert_rule_arn of the resource.
func ruleARNFromState(s *terraform.State) string {
	return s.RootModule().Resources[res].Primary.Attributes["alert_rule_arn"]
}

func ruleNameOf(ruleARN string) string { return ruleARN[strings.LastIndex(ruleARN, "/")+1:] }

// checkAlertRule checks, with plain EventBridge and SNS calls, that the
// rule in state exists, is enabled, sends to topicARN only through our
// target, and that the topic lets EventBridge publish for this rule only.
func checkAlertRule(t *testing.T, env *acctest.Env, topicARN string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		ruleARN := ruleARNFromState(s)
		rule, err := env.SDK.Events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(ruleNameOf(ruleARN))})
		if err != nil {
			return fmt.Errorf("the alert rule of %s: %w", ruleARN, err)
		}
		if aws.ToString(rule.Arn) != ruleARN || rule.State != "ENABLED" {
			return fmt.Errorf("rule %s is %s with ARN %s; want ENABLED with the ARN in state", ruleARN, rule.State, aws.ToString(rule.Arn))
		}
		targets, err := env.SDK.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name})
		if err != nil {
			return err
		}
		if len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].Arn) != topicARN {
			return fmt.Errorf("targets of %s = %+v; want the topic %s alone", ruleARN, targets.Targets, topicARN)
		}
		events, kept := eventsStatements(t, env, topicARN)
		if len(events) != 1 || events[0] != ruleARN || !kept {
			return fmt.Errorf("topic policy: EventBridge may publish for %v (want exactly %s); owner's statements kept: %v", events, ruleARN, kept)
		}
		return nil
	}
}

// checkNoEventsStatement checks that the topic is still there with the
// owner's statements, and no longer lets EventBridge publish.
func checkNoEventsStatement(t *testing.T, env *acctest.Env, topicARN string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if events, kept := eventsStatements(t, env, topicARN); len(events) != 0 || !kept {
			return fmt.Errorf("topic %s: EventBridge statements left %v, owner's statements kept %v", topicARN, events, kept)
		}
		return nil
	}
}

// failureEvents are the RotationFailed and RotationAbandoned events for
// secretARN that reached the topic, as SNS recorded them.
func failureEvents(t *testing.T, env *acctest.Env, topicARN, secretARN string) (n int, messages []string) {
	t.Helper()
	return failureEventsFor(t, env, topicARN, func(id string) bool { return id == secretARN })
}

// failureEventsFor is failureEvents for the secrets whose ARN is wanted.
func failureEventsFor(t *testing.T, env *acctest.Env, topicARN string, wanted func(secretARN string) bool) (n int, messages []string) {
	t.Helper()
	msgs, err := env.Admin.SNSPublished(context.Background(), topicARN)
	if err != nil {
		t.Fatalf("reading what the topic received: %v", err)
	}
	for _, m := range msgs {
		messages = append(messages, m.Message)
		var ev struct {
			Source string `json:"source"`
			Detail struct {
				EventName           string            `json:"eventName"`
				AdditionalEventData map[string]string `json:"additionalEventData"`
			} `json:"detail"`
		}
		if json.Unmarshal([]byte(m.Message), &ev) != nil || ev.Source != "aws.secretsmanager" {
			continue
		}
		if (ev.Detail.EventName == "RotationFailed" || ev.Detail.EventName == "RotationAbandoned") &&
			wanted(ev.Detail.AdditionalEventData["SecretId"]) {
			n++
		}
	}
	return n, messages
}

func alertsConfig(env *acctest.Env, name, topicARN string) string {
	alerts := ""
	if topicARN != "" {
		alerts = fmt.Sprintf("\n  alerts {\n    sns_topic_arn = %q\n  }", topicARN)
	}
	return basicConfig(env, name, rotation30d+alerts)
}

// TestAccRotatedSecret_alerts: with an alerts block, a failing scheduled
// rotation reaches the user's SNS topic (the event names the secret and
// carries no value); an alert rule deleted out of band shows as drift and
// the apply recreates it; moving to another topic moves our policy
// statement; removing the block deletes the rule and our statement and
// leaves the topics and their owners' statements alone.
func TestAccRotatedSecret_alerts(t *testing.T) {
	env, name := acctest.StartEmulator(t, "reads what the SNS topic received through the emulator")
	topic := alertTopic(t, env, "rotation-alerts")
	other := alertTopic(t, env, "rotation-alerts-2")
	ruleARN := regexp.MustCompile(`^arn:aws:events:` + env.Region + `:` + env.Account + `:rule/rotator-alerts-`)
	var secretARN, rule string

	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: alertsConfig(env, name, topic),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alert_rule_arn"), knownvalue.StringRegexp(ruleARN)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alerts").AtMapKey("sns_topic_arn"), knownvalue.StringExact(topic)),
				},
				Check: resource.ComposeTestCheckFunc(checkAlertRule(t, env, topic), func(s *terraform.State) error {
					secretARN, rule = s.RootModule().Resources[res].Primary.Attributes["arn"], ruleARNFromState(s)
					return nil
				}),
			},
			{
				// A scheduled rotation fails (the function may not write
				// the new version): its failure reaches the topic.
				PreConfig: func() {
					ctx := context.Background()
					env.KeepFunctionsWarm()
					if err := env.Server.InjectFault(awsemu.Fault{Service: "secretsmanager", Operation: "PutSecretValue", Code: "AccessDeniedException", Count: -1}); err != nil {
						t.Fatal(err)
					}
					adv, err := env.Admin.AdvanceClock(ctx, 31*24*time.Hour)
					env.Server.ClearFaults()
					if err != nil {
						t.Fatalf("AdvanceClock: %v", err)
					}
					if len(adv.Rotations) == 0 || adv.Rotations[0].OK {
						t.Fatalf("rotations after advancing the clock = %+v; want a failed one", adv.Rotations)
					}
				},
				Config: alertsConfig(env, name, topic),
				Check: func(*terraform.State) error {
					n, messages := failureEvents(t, env, topic, secretARN)
					if n == 0 {
						return fmt.Errorf("no RotationFailed event for %s reached the topic; it received %q", secretARN, messages)
					}
					value, err := currentValue(env, name)
					if err != nil {
						return err
					}
					for _, m := range messages {
						if strings.Contains(m, value) || !strings.Contains(m, secretARN) {
							return fmt.Errorf("a message on the topic carries the secret's value or lacks its ARN: %s", m)
						}
					}
					return nil
				},
			},
			{
				// Someone deletes the rule: the plan shows the repair.
				PreConfig: func() {
					ctx := context.Background()
					n := aws.String(ruleNameOf(rule))
					targets, err := env.SDK.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: n})
					if err != nil || len(targets.Targets) == 0 {
						t.Fatalf("ListTargetsByRule: %+v, %v", targets, err)
					}
					var ids []string
					for _, tg := range targets.Targets {
						ids = append(ids, aws.ToString(tg.Id))
					}
					if _, err := env.SDK.Events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: n, Ids: ids}); err != nil {
						t.Fatalf("RemoveTargets: %v", err)
					}
					if _, err := env.SDK.Events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: n}); err != nil {
						t.Fatalf("DeleteRule: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: func(s *terraform.State) error {
					a := s.RootModule().Resources[res].Primary.Attributes
					if a["drift.#"] != "1" || !strings.Contains(a["drift.0"], "alert rule "+ruleNameOf(rule)+" (EventBridge) is missing") || a["alert_rule_arn"] != "" {
						return fmt.Errorf("after refresh: drift %q (%s entries), alert_rule_arn %q; want the missing alert rule reported", a["drift.0"], a["drift.#"], a["alert_rule_arn"])
					}
					return nil
				},
			},
			{
				// The next apply repairs it.
				Config: alertsConfig(env, name, topic),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("alert_rule_arn"), knownvalue.StringRegexp(ruleARN)),
				}},
				Check: checkAlertRule(t, env, topic),
			},
			{
				// Someone removes the rule's target only: the refresh sees
				// it (nothing else changed) and the apply puts it back.
				PreConfig: func() {
					ctx := context.Background()
					n := aws.String(ruleNameOf(rule))
					targets, err := env.SDK.Events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: n})
					if err != nil || len(targets.Targets) != 1 {
						t.Fatalf("ListTargetsByRule: %+v, %v", targets, err)
					}
					if _, err := env.SDK.Events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: n, Ids: []string{aws.ToString(targets.Targets[0].Id)}}); err != nil {
						t.Fatalf("RemoveTargets: %v", err)
					}
				},
				Config: alertsConfig(env, name, topic),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: checkAlertRule(t, env, topic),
			},
			{
				// Another topic: the rule follows, the first topic's policy
				// loses our statement only.
				Config: alertsConfig(env, name, other),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(checkAlertRule(t, env, other), checkNoEventsStatement(t, env, topic)),
			},
			{
				// No more alerts: the rule and our statement go, the topics stay.
				Config: alertsConfig(env, name, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alerts"), knownvalue.Null()),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("alert_rule_arn"), knownvalue.StringExact("")),
				},
				Check: resource.ComposeTestCheckFunc(checkNoEventsStatement(t, env, other), checkNoEventsStatement(t, env, topic),
					func(*terraform.State) error {
						_, err := env.SDK.Events.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String(ruleNameOf(rule))})
						if err == nil {
							return fmt.Errorf("the alert rule %s is still there after removing the alerts block", rule)
						}
						return nil
					}),
			},
			{
				Config:   alertsConfig(env, name, ""),
				PlanOnly: true,
			},
		},
	})
}

// TestAccRotatedSecret_alertsDestroy: import reads the alerts block back;
// destroy deletes the alert rule and our topic-policy statement
// (CheckDestroy: no rule), and keeps the topic.
func TestAccRotatedSecret_alertsDestroy(t *testing.T) {
	env, name := acctest.StartEmulator(t, "creates the SNS topic in the emulator")
	topic := alertTopic(t, env, "destroy-alerts")
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config: alertsConfig(env, name, topic),
				Check:  checkAlertRule(t, env, topic),
			},
			{
				// Import reads the alerts block back.
				ResourceName:      res,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					"recovery_window_in_days", // not readable from AWS
					"current_version_id", "last_rotated_date", "next_rotation_date",
				},
			},
		},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckDestroy(s); err != nil {
				return err
			}
			return checkNoEventsStatement(t, env, topic)(s)
		},
	})
}

// TestAccRotatedSecret_alertsTopicErrors: a malformed ARN or a topic in
// another region is refused at plan time; a topic that does not exist
// fails the create with what to do, and leaves nothing behind.
func TestAccRotatedSecret_alertsTopicErrors(t *testing.T) {
	env, name := acctest.StartEmulator(t, "needs a missing topic in the emulator")
	missing := "arn:aws:sns:" + env.Region + ":" + env.Account + ":no-such-topic"
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:      alertsConfig(env, name, "arn:aws:sqs:"+env.Region+":"+env.Account+":queue"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid SNS topic ARN`),
			},
			{
				Config:      alertsConfig(env, name, "arn:aws:sns:eu-west-3:"+env.Account+":elsewhere"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`The alert topic is in another region`),
			},
			{
				Config:      alertsConfig(env, name, missing),
				ExpectError: regexp.MustCompile(`The alert topic does not exist`),
			},
		},
	})
}

// readmeAlertsPolicy is the README's caller policy plus its two alerts
// statements, for account and the topic named topic.
func readmeAlertsPolicy(t *testing.T, account, topic string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\\n(\\[\\s*\\n\\s*\\{\\s*\\n\\s*\"Sid\": \"RotationAlerts\".*?)\\n```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no alerts statements block")
	}
	var extra []json.RawMessage
	if err := json.Unmarshal([]byte(strings.NewReplacer("ACCOUNT", account, "TOPIC", topic).Replace(string(m[1]))), &extra); err != nil {
		t.Fatalf("README's alerts statements: %v", err)
	}
	var pol struct {
		Version   string
		Statement []json.RawMessage
	}
	if err := json.Unmarshal([]byte(readmeCallerPolicy(t, account)), &pol); err != nil {
		t.Fatal(err)
	}
	pol.Statement = append(pol.Statement, extra...)
	out, _ := json.Marshal(pol)
	return string(out)
}

// TestAccProvider_documentedAlertsPermissionsSuffice: as a role with
// exactly the README's policy and its alerts statements, a secret with
// alerts is created, refreshed, loses its alerts, gets them back and is
// destroyed.
func TestAccProvider_documentedAlertsPermissionsSuffice(t *testing.T) {
	env, name := acctest.StartEmulator(t, "creates an IAM role to assume in the emulator")
	topic := alertTopic(t, env, "perm-alerts")
	roleARN := callerRole(t, env, "caller-"+name, readmeAlertsPolicy(t, env.Account, "perm-alerts"))
	body := `
  rotation {
    automatically_after_days = 30
  }
  function {
    architecture = "x86_64"
  }`
	withAlerts := body + fmt.Sprintf("\n  alerts {\n    sns_topic_arn = %q\n  }", topic)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{
				Config:           assumeRoleConfigWith(env, roleARN, name, withAlerts),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            checkAlertRule(t, env, topic),
			},
			{
				Config:           assumeRoleConfigWith(env, roleARN, name, body),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            checkNoEventsStatement(t, env, topic),
			},
			{
				Config:           assumeRoleConfigWith(env, roleARN, name, withAlerts),
				ConfigPlanChecks: emptyPlanAfterApply,
				Check:            checkAlertRule(t, env, topic),
			},
		},
	})
}

// TestAccRotatedSecret_alertsFirstRotation: the alert rule exists before
// the first RotateSecret, so a first rotation that fails during the create
// (a resource policy denies every caller GetSecretValue, the function
// included) is reported on the topic, even though the failed create then
// deletes everything again.
func TestAccRotatedSecret_alertsFirstRotation(t *testing.T) {
	env, name := acctest.StartEmulator(t, "reads what the SNS topic received through the emulator")
	topic := alertTopic(t, env, "first-rotation")
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, fmt.Sprintf(`
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Principal = "*", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
  })
  rotation {
    automatically_after_days = 30
    rotate_immediately       = true
  }
  function {
    architecture = "x86_64"
  }
  alerts {
    sns_topic_arn = %q
  }`, topic)),
			ExpectError: regexp.MustCompile(`The secret's rotation failed in step createSecret`),
		}},
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckGone(context.Background(), name, false); err != nil {
				return err
			}
			return checkNoEventsStatement(t, env, topic)(s)
		},
	})
	secretPrefix := "arn:aws:secretsmanager:" + env.Region + ":" + env.Account + ":secret:" + name + "-"
	if n, messages := failureEventsFor(t, env, topic, func(id string) bool { return strings.HasPrefix(id, secretPrefix) }); n == 0 {
		t.Errorf("the failed first rotation of %s did not reach the topic; it received %q", name, messages)
	}
}

// TestAccRotatedSecret_alertsTopicKnownAtApply: the topic is usually
// created in the same configuration (aws_sns_topic.x.arn), so its ARN is
// unknown when the plan is made; terraform_data stands in for it here.
func TestAccRotatedSecret_alertsTopicKnownAtApply(t *testing.T) {
	env, name := acctest.StartEmulator(t, "creates the SNS topic in the emulator")
	topic := alertTopic(t, env, "known-at-apply")
	cfg := basicConfig(env, name, rotation30d+`
  alerts {
    sns_topic_arn = terraform_data.topic.output
  }`) + fmt.Sprintf(`
resource "terraform_data" "topic" {
  input = %q
}
`, topic)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(res, tfjsonpath.New("alerts").AtMapKey("sns_topic_arn")),
			}},
			Check: checkAlertRule(t, env, topic),
		}},
	})
}
