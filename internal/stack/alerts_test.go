package stack_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

func TestAlertRuleName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 200)
	tests := []struct{ region, secret string }{
		{"us-east-1", "db/app"},
		{"us-east-1", long},
		{"us-east-1", long + "x"},
		{"eu-west-1", "db/app"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		n := stack.NamesFor(tt.region, tt.secret)
		name := stack.AlertRuleName(n)
		if len(name) > 64 || !strings.HasPrefix(name, "rotator-alerts-") {
			t.Errorf("AlertRuleName(%q) = %q: want at most 64 characters starting rotator-alerts-", tt.secret, name)
		}
		// The function name's hash stays, so two secrets never share a rule.
		if hash := n.Function[strings.LastIndex(n.Function, "-"):]; !strings.HasSuffix(name, hash) {
			t.Errorf("AlertRuleName(%q) = %q lost the hash %s", tt.secret, name, hash)
		}
		if seen[name] {
			t.Errorf("AlertRuleName gives %q twice", name)
		}
		seen[name] = true
	}
}

// alertEnv is a rotated secret on the emulator plus EventBridge and SNS clients.
type alertEnv struct {
	env    *acctest.Env
	stack  *stack.Stack
	st     stack.State
	names  stack.Names
	events *eventbridge.Client
	sns    *sns.Client
}

func newAlertEnv(t *testing.T) *alertEnv {
	t.Helper()
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	env := acctest.NewEnv(t)
	if !env.IsEmulator() {
		t.Skip("alerts tests read what SNS received through the emulator")
	}
	name := strings.ToLower(acctest.RandomName())
	s := stack.New(env.Clients, code)
	st, err := s.Create(context.Background(), stack.Spec{
		Region: env.Region, Account: env.Account, Partition: "aws", Name: name,
		Strategy: config.StrategyGeneric, RotatedField: config.DefaultRotatedField, Password: config.DefaultPasswordPolicy(),
		Function: stack.FunctionSpec{Architecture: "x86_64", MemorySize: 128, Timeout: 300, LogRetentionDays: 1},
		Rotation: stack.RotationSpec{Enabled: true, AutomaticallyAfterDays: 30},
	}, `{"username":"app","password":"first-value-0"}`, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	cfg := aws.Config{Region: env.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(env.URL)}
	return &alertEnv{env: env, stack: s, st: st, names: stack.NamesFor(env.Region, name),
		events: eventbridge.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg)}
}

func (a *alertEnv) clients() stack.AlertClients {
	return stack.AlertClients{Events: a.events, SNS: a.sns}
}

func (a *alertEnv) topic(t *testing.T, name string) string {
	t.Helper()
	out, err := a.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

// failedRotationMessages are the RotationFailed events for the secret that
// reached the topic.
func (a *alertEnv) failedRotationMessages(t *testing.T, topicARN string) int {
	t.Helper()
	msgs, err := a.env.Admin.SNSPublished(context.Background(), topicARN)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		var ev struct {
			Detail struct {
				EventName           string            `json:"eventName"`
				AdditionalEventData map[string]string `json:"additionalEventData"`
			} `json:"detail"`
		}
		if json.Unmarshal([]byte(m.Message), &ev) == nil && ev.Detail.EventName == "RotationFailed" &&
			ev.Detail.AdditionalEventData["SecretId"] == a.st.SecretARN {
			n++
		}
	}
	return n
}

// failRotation makes the function's createSecret fail and rotates.
func (a *alertEnv) failRotation(t *testing.T) {
	t.Helper()
	if err := a.env.Server.InjectFault(awsemu.Fault{Service: "secretsmanager", Operation: "PutSecretValue", Code: "AccessDeniedException", Count: -1}); err != nil {
		t.Fatal(err)
	}
	defer a.env.Server.ClearFaults()
	_, err := a.stack.RotateNow(context.Background(), a.st.SecretARN)
	if err == nil || !strings.Contains(err.Error(), "createSecret") {
		t.Fatalf("RotateNow = %v, want a failure in createSecret", err)
	}
}

// TestAlerts_failureReachesTopic: after EnsureAlerts, a failed rotation of
// the secret publishes its RotationFailed event to the topic; the read
// sees no drift; a second Ensure changes nothing.
func TestAlerts_failureReachesTopic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newAlertEnv(t)
	topicARN := a.topic(t, "alerts-"+a.names.Function[len(a.names.Function)-8:])

	st, err := stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, map[string]string{"team": "db"})
	if err != nil {
		t.Fatalf("EnsureAlerts: %v", err)
	}
	if !strings.HasSuffix(st.RuleARN, ":rule/"+stack.AlertRuleName(a.names)) {
		t.Errorf("rule ARN %s does not name rule %s", st.RuleARN, stack.AlertRuleName(a.names))
	}
	_, drift, err := stack.ReadAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, true)
	if err != nil || len(drift) != 0 {
		t.Fatalf("ReadAlerts right after EnsureAlerts: drift %v, %v", drift, err)
	}
	// What a refresh would pay for the child: 2 calls, 3 with the policy.
	for _, tc := range []struct {
		checkPolicy bool
		want        int
	}{{false, 2}, {true, 3}} {
		a.env.Server.ResetCalls()
		if _, _, err := stack.ReadAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, tc.checkPolicy); err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range a.env.Server.Calls() {
			total += n
		}
		if total != tc.want {
			t.Errorf("ReadAlerts(checkPolicy=%v) made %d calls %v, want %d", tc.checkPolicy, total, a.env.Server.Calls(), tc.want)
		}
	}
	a.env.Server.ResetCalls()
	if _, err := stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, nil); err != nil {
		t.Fatal(err)
	}
	if n := a.env.Server.Calls()["sns:SetTopicAttributes"]; n != 0 {
		t.Errorf("a second EnsureAlerts rewrote the topic policy %d times, want 0", n)
	}

	a.failRotation(t)
	// Secrets Manager retries a failed rotation; each failed attempt is a
	// RotationFailed event, and each reaches the topic once.
	recs, err := a.env.Admin.Rotations(ctx)
	if err != nil || len(recs) == 0 {
		t.Fatalf("rotation history: %v %v", recs, err)
	}
	attempts := len(recs[len(recs)-1].Attempts)
	if n := a.failedRotationMessages(t, topicARN); n == 0 || n != attempts {
		t.Fatalf("the topic received %d RotationFailed events for the secret, want one per failed attempt (%d)", n, attempts)
	}
}

// TestAlerts_foreignRuleNotTaken: a rule of the same name that this
// provider did not create is neither changed nor adopted.
func TestAlerts_foreignRuleNotTaken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newAlertEnv(t)
	topicARN := a.topic(t, "foreign-"+a.names.Function[len(a.names.Function)-8:])
	rule := stack.AlertRuleName(a.names)
	const theirs = `{"source":["my.app"]}`
	if _, err := a.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(theirs)}); err != nil {
		t.Fatal(err)
	}
	_, err := stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, nil)
	if err == nil || !strings.Contains(err.Error(), "not created by this provider") {
		t.Fatalf("EnsureAlerts over a foreign rule = %v, want a refusal", err)
	}
	if err := stack.DeleteAlerts(ctx, a.clients(), a.names, topicARN); err != nil {
		t.Fatalf("DeleteAlerts with a foreign rule: %v", err)
	}
	d, err := a.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(rule)})
	if err != nil || aws.ToString(d.EventPattern) != theirs {
		t.Errorf("the foreign rule was changed or deleted: %+v, %v", d, err)
	}
}

// TestAlerts_driftAndDelete: a removed target and a removed topic-policy
// statement show as drift, Ensure repairs them, and Delete removes the
// rule and only its own policy statement, twice without error.
func TestAlerts_driftAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newAlertEnv(t)
	topicARN := a.topic(t, "drift-"+a.names.Function[len(a.names.Function)-8:])
	rule := stack.AlertRuleName(a.names)
	if _, err := stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, nil); err != nil {
		t.Fatal(err)
	}

	if _, err := a.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: []string{"rotator-sns"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(`{"source":["aws.secretsmanager"]}`), State: ebtypes.RuleStateDisabled}); err != nil {
		t.Fatal(err)
	}
	_, drift, err := stack.ReadAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, true)
	if err != nil || len(drift) != 3 {
		t.Fatalf("drift after removing the target and changing the rule = %q, %v; want 3 findings", drift, err)
	}
	if _, err := stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, nil); err != nil {
		t.Fatal(err)
	}
	if _, drift, err = stack.ReadAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, true); err != nil || len(drift) != 0 {
		t.Fatalf("drift after the repair = %q, %v", drift, err)
	}

	for range 2 {
		if err := stack.DeleteAlerts(ctx, a.clients(), a.names, topicARN); err != nil {
			t.Fatalf("DeleteAlerts: %v", err)
		}
	}
	if _, _, err := stack.ReadAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, false); !stack.IsNotFound(err) {
		t.Errorf("ReadAlerts after DeleteAlerts = %v, want NotFound", err)
	}
	attrs, err := a.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		t.Fatal(err)
	}
	if p := attrs.Attributes["Policy"]; strings.Contains(p, "events.amazonaws.com") || !strings.Contains(p, "__default_statement_ID") {
		t.Errorf("topic policy after DeleteAlerts = %s: want the owner's statement kept and EventBridge's removed", p)
	}
	// With the rule gone, a failure reaches nobody.
	a.failRotation(t)
	if n := a.failedRotationMessages(t, topicARN); n != 0 {
		t.Errorf("the topic received %d events after DeleteAlerts", n)
	}
}

// TestParseTopicARN: the SNS topic ARNs AWS gives (CreateTopic: names of
// 1–256 letters, digits, hyphens and underscores, ".fifo" for FIFO
// topics), in any partition; anything else is refused.
func TestParseTopicARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn  string
		want stack.TopicARN
		ok   bool
	}{
		{"arn:aws:sns:us-east-1:123456789012:rotation-alerts", stack.TopicARN{"aws", "us-east-1", "123456789012", "rotation-alerts"}, true},
		{"arn:aws-cn:sns:cn-north-1:123456789012:a_b", stack.TopicARN{"aws-cn", "cn-north-1", "123456789012", "a_b"}, true},
		{"arn:aws-us-gov:sns:us-gov-west-1:123456789012:t.fifo", stack.TopicARN{"aws-us-gov", "us-gov-west-1", "123456789012", "t.fifo"}, true},
		{"arn:aws:sns:us-east-1:123456789012:" + strings.Repeat("a", 256), stack.TopicARN{"aws", "us-east-1", "123456789012", strings.Repeat("a", 256)}, true},
		{"arn:aws:sns:us-east-1:123456789012:" + strings.Repeat("a", 257), stack.TopicARN{}, false},
		{"arn:aws:sqs:us-east-1:123456789012:queue", stack.TopicARN{}, false},
		{"arn:aws:sns:us-east-1:12345:short-account", stack.TopicARN{}, false},
		{"arn:aws:sns:us-east-1:123456789012:has.dot", stack.TopicARN{}, false},
		{"arn:aws:sns:us-east-1:123456789012:topic:subscription-id", stack.TopicARN{}, false},
		{"rotation-alerts", stack.TopicARN{}, false},
		{"", stack.TopicARN{}, false},
	}
	for _, tt := range tests {
		got, err := stack.ParseTopicARN(tt.arn)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTopicARN(%q) = %+v, %v; want %+v, ok %v", tt.arn, got, err, tt.want, tt.ok)
		}
	}
	var region *stack.AlertTopicRegionError
	if err := stack.CheckAlertTopic("arn:aws:sns:eu-west-1:123456789012:t", "us-east-1"); !errors.As(err, &region) || region.TopicRegion != "eu-west-1" {
		t.Errorf("CheckAlertTopic of a topic in another region = %v; want an AlertTopicRegionError", err)
	}
	if err := stack.CheckAlertTopic("arn:aws:sns:us-east-1:123456789012:t", "us-east-1"); err != nil {
		t.Errorf("CheckAlertTopic in the same region = %v", err)
	}
}

// TestAlerts_managedKeyTopicRefused: EventBridge cannot publish to a topic
// encrypted with SNS's AWS managed key (its key policy cannot be changed),
// so EnsureAlerts refuses it instead of reporting success for alerts that
// would never arrive; the topic's policy stays as it was.
func TestAlerts_managedKeyTopicRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newAlertEnv(t)
	out, err := a.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("managed-key"),
		Attributes: map[string]string{"KmsMasterKeyId": "alias/aws/sns"}})
	if err != nil {
		t.Fatal(err)
	}
	topicARN := aws.ToString(out.TopicArn)
	before, err := a.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: out.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stack.EnsureAlerts(ctx, a.clients(), a.names, a.st.SecretARN, topicARN, nil)
	var key *stack.AlertTopicKeyError
	if !errors.As(err, &key) {
		t.Fatalf("EnsureAlerts on a topic under alias/aws/sns = %v; want an AlertTopicKeyError", err)
	}
	after, err := a.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: out.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	if before.Attributes["Policy"] != after.Attributes["Policy"] {
		t.Errorf("the refused topic's policy changed:\n%s\n->\n%s", before.Attributes["Policy"], after.Attributes["Policy"])
	}
	if err := stack.DeleteAlerts(ctx, a.clients(), a.names, topicARN); err != nil {
		t.Errorf("DeleteAlerts after the refusal: %v", err)
	}
}
