package awsemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"
)

// evRotate starts a rotation and waits until the emulator recorded its
// outcome (RotateSecret only starts a rotation, as on AWS), polling the
// rotation history a bounded number of times.
func evRotate(t *testing.T, c *emuTestClients, arn, token string, rules *smtypes.RotationRulesType, immediately *bool) {
	t.Helper()
	if err := emuRotate(c, arn, token, rules, immediately); err != nil {
		t.Fatalf("RotateSecret: %v", err)
	}
	for range 600 {
		for _, r := range c.srv.sm.rotationHistory() {
			if r.VersionID == token {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the rotation %s never ended", token)
}

// evAttempts is how many times the rotation of token ran (Secrets
// Manager retries a failing rotation; each attempt reports its events).
func evAttempts(t *testing.T, c *emuTestClients, token string) int {
	t.Helper()
	for _, r := range c.srv.sm.rotationHistory() {
		if r.VersionID == token {
			return len(r.Attempts)
		}
	}
	t.Fatalf("no rotation %s in the history", token)
	return 0
}

// evTestClients are EventBridge and SNS clients for c's emulator.
func evTestClients(c *emuTestClients) (*eventbridge.Client, *sns.Client) {
	cfg := emuTestConfig(c.srv, "test", "test", "")
	return eventbridge.NewFromConfig(cfg), sns.NewFromConfig(cfg)
}

// evFailurePattern is the pattern an alert rule uses for one secret: the
// RotationFailed and RotationAbandoned events as Secrets Manager reports
// them through CloudTrail (monitoring-eventbridge.html).
func evFailurePattern(secretARN string) string {
	return fmt.Sprintf(`{"source":["aws.secretsmanager"],"detail-type":["AWS Service Event via CloudTrail"],
"detail":{"eventSource":["secretsmanager.amazonaws.com"],"eventName":["RotationFailed","RotationAbandoned"],
"additionalEventData":{"SecretId":[%q]}}}`, secretARN)
}

// evTopicPolicy lets EventBridge publish to the topic for one rule only.
func evTopicPolicy(topicARN, ruleARN string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"events","Effect":"Allow",
"Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":%q,
"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, topicARN, ruleARN)
}

// evAlertSetup creates a topic and a rule for secretARN's failures with
// the topic as target; policy says whether the topic lets the rule publish.
func evAlertSetup(t *testing.T, eb *eventbridge.Client, sn *sns.Client, name, secretARN string, policy bool) (topicARN, ruleARN string) {
	t.Helper()
	ctx := context.Background()
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(evFailurePattern(secretARN))})
	if err != nil {
		t.Fatalf("PutRule: %v", err)
	}
	if policy {
		if _, err := sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"),
			AttributeValue: aws.String(evTopicPolicy(*topic.TopicArn, *rule.RuleArn))}); err != nil {
			t.Fatalf("SetTopicAttributes: %v", err)
		}
	}
	out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("sns"), Arn: topic.TopicArn}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %v %+v", err, out)
	}
	return *topic.TopicArn, *rule.RuleArn
}

// evDetail is the part of a delivered event the tests look at.
type evDetail struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Account    string `json:"account"`
	Region     string `json:"region"`
	Detail     struct {
		EventSource         string            `json:"eventSource"`
		EventName           string            `json:"eventName"`
		EventType           string            `json:"eventType"`
		AdditionalEventData map[string]string `json:"additionalEventData"`
	} `json:"detail"`
}

func evPublished(t *testing.T, srv *Server, topicARN string) []evDetail {
	t.Helper()
	msgs, err := srv.AdminClient().SNSPublished(context.Background(), topicARN)
	if err != nil {
		t.Fatal(err)
	}
	out := []evDetail{}
	for _, m := range msgs {
		if m.Publisher != "events.amazonaws.com" {
			t.Errorf("message published by %q, want events.amazonaws.com", m.Publisher)
		}
		var d evDetail
		if err := json.Unmarshal([]byte(m.Message), &d); err != nil {
			t.Fatalf("published message is not an event: %v", err)
		}
		out = append(out, d)
	}
	return out
}

// TestRotationFailureEventReachesTopic: a failed rotation of the watched
// secret, and a manual value that abandons it, each publish one event to
// the topic, in AWS's CloudTrail service-event shape; a successful
// rotation and another secret's failure publish nothing.
func TestRotationFailureEventReachesTopic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, f := emuTestRotation(t)
	eb, sn := evTestClients(c)
	watched, _ := emuCreateSecret(t, c, "watched", "initial")
	other, _ := emuCreateSecret(t, c, "other", "initial")
	topicARN, _ := evAlertSetup(t, eb, sn, "alerts", watched, true)

	evRotate(t, c, watched, emuToken("ok"), &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, nil)
	if got := evPublished(t, c.srv, topicARN); len(got) != 0 {
		t.Fatalf("a successful rotation published %d messages, want 0", len(got))
	}
	f.set(func(f *fakeRotationFunction) { f.failStep = "setSecret" })
	evRotate(t, c, other, emuToken("other"), &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, nil)
	evRotate(t, c, watched, emuToken("bad"), nil, nil)
	got := evPublished(t, c.srv, topicARN)
	failed := evAttempts(t, c, emuToken("bad"))
	if failed == 0 || len(got) != failed {
		t.Fatalf("published %d messages after the watched secret's failure, want one per failed attempt (%d): %+v", len(got), failed, got)
	}
	want := evDetail{Source: "aws.secretsmanager", DetailType: "AWS Service Event via CloudTrail", Account: c.srv.AccountID(), Region: c.srv.Region()}
	want.Detail.EventSource, want.Detail.EventName, want.Detail.EventType = "secretsmanager.amazonaws.com", "RotationFailed", "AwsServiceEvent"
	want.Detail.AdditionalEventData = map[string]string{"SecretId": watched}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("RotationFailed event (-want +got):\n%s", diff)
	}

	// A manual value while AWSPENDING is stuck abandons the rotation.
	if _, err := c.sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(watched), SecretString: aws.String("manual")}); err != nil {
		t.Fatal(err)
	}
	got = evPublished(t, c.srv, topicARN)
	if len(got) != failed+1 || got[failed].Detail.EventName != "RotationAbandoned" || got[failed].Detail.AdditionalEventData["SecretId"] != watched {
		t.Fatalf("after a manual value: %+v, want a second message RotationAbandoned for the watched secret", got)
	}
	for v, stages := range emuStages(t, c, watched, nil) {
		for _, s := range stages {
			if s == smPending {
				t.Errorf("AWSPENDING is still on version %s after the rotation was abandoned", v)
			}
		}
	}
	// AWSPENDING cleared: the next rotation can start.
	f.set(func(f *fakeRotationFunction) { f.failStep = "" })
	evRotate(t, c, watched, emuToken("again"), nil, nil)
}

// TestRotationEventsEveryPhase: the bus sees RotationStarted and the
// outcome for each rotation, and the Test* events for a validation-only
// RotateSecret (RotateImmediately=false).
func TestRotationEventsEveryPhase(t *testing.T) {
	t.Parallel()
	c, f := emuTestRotation(t)
	arn, _ := emuCreateSecret(t, c, "phases", "initial")
	evRotate(t, c, arn, emuToken("a"), &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, aws.Bool(false))
	evRotate(t, c, arn, emuToken("b"), nil, nil)
	f.set(func(f *fakeRotationFunction) { f.failStep = "testSecret" })
	evRotate(t, c, arn, emuToken("c"), nil, nil)
	evs, err := c.srv.AdminClient().Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range evs {
		var d evDetail
		if err := json.Unmarshal(e.Event, &d); err != nil {
			t.Fatal(err)
		}
		names = append(names, d.Detail.EventName)
	}
	want := []string{"TestRotationStarted", "TestRotationSucceeded", "RotationStarted", "RotationSucceeded"}
	for range evAttempts(t, c, emuToken("c")) { // each retry of the failing rotation
		want = append(want, "RotationStarted", "RotationFailed")
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("events on the bus (-want +got):\n%s", diff)
	}
}

// TestEventsToTopicNeedTopicPolicy: with SNS's default topic policy,
// EventBridge may not publish, so the event is lost (a failed invocation)
// and the topic records nothing.
func TestEventsToTopicNeedTopicPolicy(t *testing.T) {
	t.Parallel()
	c, f := emuTestRotation(t)
	eb, sn := evTestClients(c)
	arn, _ := emuCreateSecret(t, c, "nopolicy", "initial")
	topicARN, ruleARN := evAlertSetup(t, eb, sn, "nopolicy", arn, false)
	f.set(func(f *fakeRotationFunction) { f.failStep = "createSecret" })
	evRotate(t, c, arn, emuToken("x"), &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, nil)
	if got := evPublished(t, c.srv, topicARN); len(got) != 0 {
		t.Fatalf("the topic received %d messages without a policy for events.amazonaws.com", len(got))
	}
	evs, _ := c.srv.AdminClient().Events(context.Background())
	var failed []EventDelivery
	for _, e := range evs {
		for _, d := range e.Deliveries {
			if !d.OK {
				failed = append(failed, d)
			}
		}
	}
	attempts := evAttempts(t, c, emuToken("x"))
	if len(failed) == 0 || len(failed) != attempts {
		t.Errorf("%d failed deliveries, want one per failed attempt (%d)", len(failed), attempts)
	}
	for _, d := range failed {
		if d.Rule != ruleARN || !strings.Contains(d.Error, "AuthorizationError") {
			t.Errorf("failed delivery = %+v, want an AuthorizationError for %s", d, ruleARN)
		}
	}

	// With the policy but the AWS managed key, delivery still fails.
	if _, err := sn.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{TopicArn: aws.String(topicARN), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(evTopicPolicy(topicARN, ruleARN))}); err != nil {
		t.Fatal(err)
	}
	if _, err := sn.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{TopicArn: aws.String(topicARN), AttributeName: aws.String("KmsMasterKeyId"),
		AttributeValue: aws.String("alias/aws/sns")}); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeRotationFunction) { f.failStep = "" })
	if _, err := c.sm.CancelRotateSecret(context.Background(), &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	// A manual value abandons the failed rotation: a RotationAbandoned event.
	if _, err := c.sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("manual")}); err != nil {
		t.Fatal(err)
	}
	if got := evPublished(t, c.srv, topicARN); len(got) != 0 {
		t.Fatalf("a topic under the AWS managed key received %d messages from EventBridge", len(got))
	}
	evs, _ = c.srv.AdminClient().Events(context.Background())
	last := evs[len(evs)-1]
	if len(last.Deliveries) != 1 || last.Deliveries[0].OK || !strings.Contains(last.Deliveries[0].Error, "KMS.AccessDeniedException") {
		t.Errorf("delivery to a topic under alias/aws/sns = %+v, want a KMS.AccessDeniedException failure", last.Deliveries)
	}
}

// TestEventPatternMatching checks the matcher against the examples of
// AWS's event-pattern documentation (eb-event-patterns.html,
// eb-create-pattern-operators.html).
func TestEventPatternMatching(t *testing.T) {
	t.Parallel()
	event := `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],
"detail":{"state":"terminated","instance-id":"i-1","c-count":5,"d-count":null,"location":"us-east-1a","tags":["a","b"]}}`
	tests := []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.ec2"]}`, true},
		{`{"source":["aws.s3","aws.ec2"]}`, true},
		{`{"source":["aws.s3"]}`, false},
		{`{"detail":{"state":["running"]}}`, false},
		{`{"detail":{"state":["terminated"],"instance-id":["i-1"]}}`, true},
		{`{"detail":{"c-count":[5]}}`, true},
		{`{"detail":{"c-count":["5"]}}`, false}, // strings and numbers differ
		{`{"detail":{"d-count":[null]}}`, true},
		{`{"detail":{"missing":[null]}}`, false}, // null matches a present null only
		{`{"detail":{"tags":["b"]}}`, true},      // any element of an array
		{`{"detail":{"location":[{"prefix":"us-"}]}}`, true},
		{`{"detail":{"location":[{"prefix":{"equals-ignore-case":"US-"}}]}}`, true},
		{`{"detail":{"location":[{"suffix":"1a"}]}}`, true},
		{`{"detail":{"state":[{"equals-ignore-case":"TERMINATED"}]}}`, true},
		{`{"detail":{"state":[{"anything-but":"terminated"}]}}`, false},
		{`{"detail":{"state":[{"anything-but":["stopped","running"]}]}}`, true},
		{`{"detail":{"state":[{"anything-but":{"prefix":"term"}}]}}`, false},
		{`{"detail":{"missing":[{"anything-but":"x"}]}}`, false},
		{`{"detail":{"missing":[{"exists":false}]}}`, true},
		{`{"detail":{"state":[{"exists":true}]}}`, true},
		{`{"detail":{"state":[{"exists":false}]}}`, false},
		{`{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, true},
		{`{"detail":{"c-count":[{"numeric":[">",5]}]}}`, false},
		{`{"resources":[{"wildcard":"arn:aws:ec2:*:instance/*"}]}`, true},
		{`{"source":["aws.ec2"],"$or":[{"detail":{"state":["running"]}},{"detail":{"c-count":[5]}}]}`, true},
		{`{"$or":[{"detail":{"state":["running"]}},{"source":["aws.s3"]}]}`, false},
		{`{"detail":{"state":{"nested":["x"]}}}`, false}, // a string is not an object
	}
	var ev map[string]any
	dec := json.NewDecoder(strings.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		p, err := parseEventPattern(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		if got := matchEventPattern(p, ev); got != tt.want {
			t.Errorf("%s matches = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

// TestEventPatternValidation: invalid patterns are refused with AWS's
// InvalidEventPatternException.
func TestEventPatternValidation(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		`[]`, `"x"`, `{}`, `{"source":"aws.ec2"}`, `{"source":[]}`, `{"source":[{"prefix":1}]}`,
		`{"source":[{"exists":"yes"}]}`, `{"source":[{"cidr":"10.0.0.0/8"}]}`, `{"source":[["a"]]}`,
		`{"$or":[{"source":["a"]}]}`, `{"detail":{"n":[{"numeric":["!",1]}]}}`, `not json`,
	} {
		_, err := parseEventPattern(p)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != "InvalidEventPatternException" || !strings.HasPrefix(ae.Message, "Event pattern is not valid. Reason: ") {
			t.Errorf("%s: error = %v, want InvalidEventPatternException", p, err)
		}
	}
}

// TestEventBridgeRuleAPI: the rule and target operations answer as
// EventBridge documents them.
func TestEventBridgeRuleAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	eb, _ := evTestClients(c)

	_, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	var rnf *ebtypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("DescribeRule of a missing rule = %v, want ResourceNotFoundException", err)
	}
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
	var iep *ebtypes.InvalidEventPatternException
	if !errors.As(err, &iep) {
		t.Errorf("PutRule with a bad pattern = %v, want InvalidEventPatternException", err)
	}
	if _, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("neither")}); emuErrCode(err) != "ValidationException" {
		t.Errorf("PutRule without pattern or schedule = %v, want ValidationException", err)
	}
	out, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(`{"source":["my.app"]}`),
		Description: aws.String("d"), Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:events:us-east-1:123456789012:rule/r1"; aws.ToString(out.RuleArn) != want {
		t.Errorf("RuleArn = %s, want %s", aws.ToString(out.RuleArn), want)
	}
	d, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1")})
	if err != nil || d.State != ebtypes.RuleStateEnabled || aws.ToString(d.EventPattern) != `{"source":["my.app"]}` || aws.ToString(d.EventBusName) != "default" {
		t.Errorf("DescribeRule = %+v, %v", d, err)
	}
	tags, err := eb.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: out.RuleArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "k" {
		t.Errorf("ListTagsForResource = %+v, %v", tags, err)
	}
	targets := make([]ebtypes.Target, 6)
	for i := range targets {
		targets[i] = ebtypes.Target{Id: aws.String(fmt.Sprintf("t%d", i)), Arn: aws.String("arn:aws:sns:us-east-1:123456789012:x")}
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: targets}); emuErrCode(err) != "LimitExceededException" {
		t.Errorf("PutTargets with 6 targets = %v, want LimitExceededException (5 per rule)", err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: targets[:1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")}); emuErrCode(err) != "ValidationException" {
		t.Errorf("DeleteRule with targets = %v, want ValidationException", err)
	}
	lt, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1")})
	if err != nil || len(lt.Targets) != 1 || aws.ToString(lt.Targets[0].Id) != "t0" {
		t.Errorf("ListTargetsByRule = %+v, %v", lt, err)
	}
	if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r1"), Ids: []string{"t0"}}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting twice succeeds, as documented
		if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")}); err != nil {
			t.Errorf("DeleteRule: %v", err)
		}
	}
	pe, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("aws.secretsmanager"), DetailType: aws.String("x"), Detail: aws.String(`{}`)},
	}})
	if err != nil || pe.FailedEntryCount != 1 || aws.ToString(pe.Entries[0].ErrorCode) != "NotAuthorizedForSourceException" {
		t.Errorf("PutEvents with an aws.* source = %+v, %v; want the entry refused", pe, err)
	}
}

// TestSNSTopicAPI: topics answer as SNS documents.
func TestSNSTopicAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	_, sn := evTestClients(c)

	t1, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t"), Attributes: map[string]string{"DisplayName": "one"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sns:us-east-1:123456789012:t"; aws.ToString(t1.TopicArn) != want {
		t.Errorf("TopicArn = %s, want %s", aws.ToString(t1.TopicArn), want)
	}
	if t2, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t"), Attributes: map[string]string{"DisplayName": "one"}}); err != nil || aws.ToString(t2.TopicArn) != aws.ToString(t1.TopicArn) {
		t.Errorf("CreateTopic again = %v, %v; want the same ARN", t2, err)
	}
	var ip *snstypes.InvalidParameterException
	if _, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t"), Attributes: map[string]string{"DisplayName": "two"}}); !errors.As(err, &ip) {
		t.Errorf("CreateTopic with other attributes = %v, want InvalidParameterException", err)
	}
	if _, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")}); !errors.As(err, &ip) {
		t.Errorf("CreateTopic with a bad name = %v, want InvalidParameterException", err)
	}
	attrs, err := sn.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: t1.TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["DisplayName"] != "one" || attrs.Attributes["TopicArn"] != aws.ToString(t1.TopicArn) ||
		!strings.Contains(attrs.Attributes["Policy"], "__default_policy_ID") {
		t.Errorf("GetTopicAttributes = %v", attrs.Attributes)
	}
	if _, err := sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: t1.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String("{")}); !errors.As(err, &ip) {
		t.Errorf("SetTopicAttributes with a malformed policy = %v, want InvalidParameterException", err)
	}
	var nf *snstypes.NotFoundException
	missing := aws.String("arn:aws:sns:us-east-1:123456789012:missing")
	if _, err := sn.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: missing}); !errors.As(err, &nf) {
		t.Errorf("GetTopicAttributes of a missing topic = %v, want NotFoundException", err)
	}
	if _, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: missing, Message: aws.String("x")}); !errors.As(err, &nf) {
		t.Errorf("Publish to a missing topic = %v, want NotFoundException", err)
	}
	if _, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: t1.TopicArn, Message: aws.String("")}); !errors.As(err, &ip) {
		t.Errorf("Publish of an empty message = %v, want InvalidParameterException", err)
	}
	pub, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: t1.TopicArn, Message: aws.String("hello"), Subject: aws.String("s")})
	if err != nil || aws.ToString(pub.MessageId) == "" {
		t.Fatalf("Publish = %v, %v", pub, err)
	}
	msgs, err := c.srv.AdminClient().SNSPublished(ctx, aws.ToString(t1.TopicArn))
	if err != nil || len(msgs) != 1 || msgs[0].Message != "hello" || msgs[0].Subject != "s" || msgs[0].MessageID != aws.ToString(pub.MessageId) {
		t.Errorf("GET /_emu/sns/published = %+v, %v", msgs, err)
	}
	sub, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: t1.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	if err != nil || aws.ToString(sub.SubscriptionArn) != "pending confirmation" {
		t.Errorf("Subscribe email = %v, %v; want pending confirmation", sub, err)
	}
	subs, err := sn.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: t1.TopicArn})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) != "PendingConfirmation" {
		t.Errorf("ListSubscriptionsByTopic = %+v, %v", subs, err)
	}
	for range 2 { // deleting a missing topic is not an error
		if _, err := sn.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: t1.TopicArn}); err != nil {
			t.Errorf("DeleteTopic: %v", err)
		}
	}
}

// TestEventsAndSNSAuth: unsigned requests are refused in each protocol's
// shape, and a role caller needs events:/sns: permissions, refused as
// each service does (EventBridge AccessDeniedException, SNS
// AuthorizationError).
func TestEventsAndSNSAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	status, typ, body := emuRawRequest(t, c.srv, "POST", "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		"Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Message=x")
	if status != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned SNS Publish = %d %q %s, want 403 MissingAuthenticationToken", status, typ, body)
	}
	status, typ, _ = emuRawRequest(t, c.srv, "POST", "/", map[string]string{"X-Amz-Target": "AWSEvents.ListRules", "Content-Type": "application/x-amz-json-1.1"}, "{}")
	if status != 400 || typ != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned EventBridge ListRules = %d %q, want 400 MissingAuthenticationTokenException", status, typ)
	}

	// A role that may only read the rule.
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["events:DescribeRule","sns:GetTopicAttributes"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	iamB, ok := c.srv.keys.(*iamBackend)
	if !ok {
		t.Fatal("the key store is not the IAM backend")
	}
	creds, err := iamB.IssueRoleCredentials("arn:aws:iam::123456789012:role/reader", "s")
	if err != nil {
		t.Fatal(err)
	}
	roleCfg := emuTestConfig(c.srv, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	eb, sn := eventbridge.NewFromConfig(roleCfg), sns.NewFromConfig(roleCfg)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`)})
	if emuErrCode(err) != "AccessDeniedException" || !strings.Contains(emuErrMessage(err), "events:PutRule") {
		t.Errorf("PutRule by a role without events:PutRule = %v, want AccessDeniedException naming the action", err)
	}
	adminEB, adminSNS := evTestClients(c)
	topic, err := adminSNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminEB.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")}); err != nil {
		t.Errorf("DescribeRule by a role allowed to: %v", err)
	}
	var authz *snstypes.AuthorizationErrorException
	if _, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("x")}); !errors.As(err, &authz) {
		t.Errorf("Publish by a role without sns:Publish = %v, want AuthorizationErrorException", err)
	}
	if _, err := sn.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic.TopicArn}); err != nil {
		t.Errorf("GetTopicAttributes by a role allowed to: %v", err)
	}
}
