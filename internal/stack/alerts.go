package stack

// alerts.go is the optional alerts child: an EventBridge rule on the
// default bus that matches this secret's RotationFailed and
// RotationAbandoned events (Secrets Manager's CloudTrail service events,
// "AWS Service Event via CloudTrail"), with one SNS topic as its target,
// and the statement in the topic's policy that lets EventBridge publish
// for this rule only (sns:Publish by events.amazonaws.com with
// aws:SourceArn = the rule's ARN). Without that statement EventBridge's
// delivery fails silently (FailedInvocations), so it is part of the child.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// KindAlertRule is the alerts child's kind in NotFoundError and StepError.
const KindAlertRule = "alert rule"

// Alert facts, each written once here.
const (
	// alertTargetID is the rule's one target.
	alertTargetID = "rotator-sns"
	// alertRulePrefix replaces the function names' "rotator-" prefix.
	alertRulePrefix = "rotator-alerts-"
	// maxRuleNameLen is EventBridge's limit on rule names.
	maxRuleNameLen = 64
	// alertStatementPrefix prefixes the Sid of the topic-policy statement.
	alertStatementPrefix = "rotator-events-"
	eventsPrincipal      = "events.amazonaws.com"
)

// AlertEventNames are the Secrets Manager events an alert rule matches.
var AlertEventNames = []string{"RotationFailed", "RotationAbandoned"}

// AlertClients are the clients of the alerts child.
type AlertClients struct {
	Events EventsAPI
	SNS    SNSAPI
}

// AlertRuleName derives the rule's name from the function's (NamesFor),
// keeping its hash so that two secrets never share a rule.
func AlertRuleName(n Names) string {
	const fnPrefix = "rotator-"
	rest := strings.TrimPrefix(n.Function, fnPrefix) // base + "-" + hash
	if room := maxRuleNameLen - len(alertRulePrefix); len(rest) > room {
		i := strings.LastIndex(rest, "-")
		hash := rest[i:] // "-xxxxxxxx"
		rest = rest[:room-len(hash)] + hash
	}
	return alertRulePrefix + rest
}

// AlertPattern is the rule's event pattern for one secret.
func AlertPattern(secretARN string) string {
	p := map[string]any{
		"source":      []string{"aws.secretsmanager"},
		"detail-type": []string{"AWS Service Event via CloudTrail"},
		"detail": map[string]any{
			"eventSource":         []string{"secretsmanager.amazonaws.com"},
			"eventName":           AlertEventNames,
			"additionalEventData": map[string]any{"SecretId": []string{secretARN}},
		},
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// AlertState is what exists of the alerts child.
type AlertState struct {
	RuleName string
	RuleARN  string
	TopicARN string
}

// EnsureAlerts creates or repairs the rule, its target and the topic
// policy statement. It is idempotent: run it again after any drift.
func EnsureAlerts(ctx context.Context, c AlertClients, n Names, secretARN, topicARN string, tags map[string]string) (AlertState, error) {
	name := AlertRuleName(n)
	st := AlertState{RuleName: name, TopicARN: topicARN}
	ebTags := []ebtypes.Tag{{Key: aws.String(ManagedByTag), Value: aws.String(ManagedByValue)}}
	for _, k := range sortedKeys(tags) {
		if k != ManagedByTag {
			ebTags = append(ebTags, ebtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
	}
	if err := checkRuleOwned(ctx, c.Events, name); err != nil {
		return st, stepErr("creating the alert rule (EventBridge PutRule)", KindAlertRule, err)
	}
	out, err := c.Events.PutRule(ctx, &eventbridge.PutRuleInput{
		Name:         aws.String(name),
		Description:  aws.String("Rotation failures of " + secretARN + " (terraform-provider-rotator)"),
		EventPattern: aws.String(AlertPattern(secretARN)),
		State:        ebtypes.RuleStateEnabled,
		Tags:         ebTags,
	})
	if err != nil {
		return st, stepErr("creating the alert rule (EventBridge PutRule)", KindAlertRule, err)
	}
	st.RuleARN = aws.ToString(out.RuleArn)
	if err := allowEvents(ctx, c.SNS, topicARN, name, st.RuleARN); err != nil {
		return st, stepErr("letting EventBridge publish to the alert topic (SNS SetTopicAttributes)", KindAlertRule, err)
	}
	tout, err := c.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule:    aws.String(name),
		Targets: []ebtypes.Target{{Id: aws.String(alertTargetID), Arn: aws.String(topicARN)}},
	})
	if err == nil && tout.FailedEntryCount > 0 && len(tout.FailedEntries) > 0 {
		fe := tout.FailedEntries[0]
		err = fmt.Errorf("%s: %s", aws.ToString(fe.ErrorCode), aws.ToString(fe.ErrorMessage))
	}
	if err != nil {
		return st, stepErr("adding the alert topic as the rule's target (EventBridge PutTargets)", KindAlertRule, err)
	}
	return st, nil
}

// checkRuleOwned refuses to take over a rule of the same name that this
// provider did not create (it lacks ManagedByTag).
func checkRuleOwned(ctx context.Context, c EventsAPI, name string) error {
	rule, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if isCode(err, codeResourceNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: rule.Arn})
	if err != nil {
		return err
	}
	for _, t := range tags.Tags {
		if aws.ToString(t.Key) == ManagedByTag && aws.ToString(t.Value) == ManagedByValue {
			return nil
		}
	}
	return &ForeignRuleError{Name: name}
}

// ForeignRuleError: a rule of the alert rule's name exists without ManagedByTag.
type ForeignRuleError struct{ Name string }

func (e *ForeignRuleError) Error() string {
	return fmt.Sprintf("an EventBridge rule named %s exists and was not created by this provider (no %s tag); rename or delete it", e.Name, ManagedByTag)
}

// ReadAlerts reports the rule's drift for the configured secret and topic
// in 2 calls (DescribeRule, ListTargetsByRule); checkPolicy adds a third
// (GetTopicAttributes) to check the topic policy statement. A missing rule
// is a NotFoundError. A refresh does not use it: it costs one call
// (FindAlertTarget), and every apply re-puts the rule, its target and the
// policy statement (EnsureAlerts).
func ReadAlerts(ctx context.Context, c AlertClients, n Names, secretARN, topicARN string, checkPolicy bool) (AlertState, []Drift, error) {
	name := AlertRuleName(n)
	st := AlertState{RuleName: name}
	rule, err := c.Events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if isCode(err, codeResourceNotFound) {
		return st, nil, &NotFoundError{Kind: KindAlertRule, ID: name, Err: err}
	}
	if err != nil {
		return st, nil, err
	}
	st.RuleARN = aws.ToString(rule.Arn)
	var drift []Drift
	if rule.State != ebtypes.RuleStateEnabled {
		drift = append(drift, Drift{Kind: DriftAlertRuleChanged, Message: fmt.Sprintf("the alert rule %s is %s, not ENABLED", name, rule.State)})
	}
	if !samePattern(aws.ToString(rule.EventPattern), AlertPattern(secretARN)) {
		drift = append(drift, Drift{Kind: DriftAlertRuleChanged, Message: "the event pattern of the alert rule " + name + " was changed"})
	}
	seen, err := FindAlertTarget(ctx, c.Events, n)
	if err != nil {
		return st, nil, err
	}
	st.TopicARN = seen.TopicARN
	if st.TopicARN != topicARN {
		drift = append(drift, Drift{Kind: DriftAlertTarget, Message: fmt.Sprintf("the alert rule %s sends to %q, not to the topic %s", name, st.TopicARN, topicARN)})
	}
	if checkPolicy && st.TopicARN != "" {
		doc, err := topicPolicy(ctx, c.SNS, st.TopicARN)
		if err != nil {
			return st, nil, err
		}
		if !slices.ContainsFunc(doc.Statement, func(s policyStmt) bool { return s.Sid == alertStatementPrefix+name }) {
			drift = append(drift, Drift{Kind: DriftAlertTopicPolicy, Message: "the policy of topic " + st.TopicARN + " no longer lets EventBridge publish for the alert rule " + name})
		}
	}
	return st, drift, nil
}

// DeleteAlerts removes the target, the rule and the topic policy
// statement. Each step tolerates what is already gone; a rule of the same
// name that this provider did not create is left alone.
func DeleteAlerts(ctx context.Context, c AlertClients, n Names, topicARN string) error {
	name := AlertRuleName(n)
	if err := checkRuleOwned(ctx, c.Events, name); err != nil {
		var notOurs *ForeignRuleError
		if errors.As(err, &notOurs) {
			return nil // not ours: leave it alone
		}
		return stepErr("reading the alert rule (EventBridge DescribeRule)", KindAlertRule, err)
	}
	_, err := c.Events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: []string{alertTargetID}})
	if err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("removing the alert rule's target (EventBridge RemoveTargets)", KindAlertRule, err)
	}
	if _, err := c.Events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the alert rule (EventBridge DeleteRule)", KindAlertRule, err)
	}
	if topicARN == "" {
		return nil
	}
	if err := revokeEvents(ctx, c.SNS, topicARN, name); err != nil && !IsTopicNotFound(err) {
		return stepErr("removing the alert rule's statement from the topic policy (SNS SetTopicAttributes)", KindAlertRule, err)
	}
	return nil
}

// samePattern compares two patterns as JSON values.
func samePattern(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// policyStmt keeps a statement's fields as they came, so that the user's
// statements are written back unchanged.
type policyStmt struct {
	Sid string
	Raw json.RawMessage
}

type topicPolicyDoc struct {
	Fields    map[string]json.RawMessage // every top-level field but Statement
	Statement []policyStmt
	// KMSKey is the topic's KmsMasterKeyId, read with the policy.
	KMSKey string
}

func topicPolicy(ctx context.Context, c SNSAPI, topicARN string) (*topicPolicyDoc, error) {
	out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		return nil, err
	}
	doc := &topicPolicyDoc{Fields: map[string]json.RawMessage{}, KMSKey: out.Attributes["KmsMasterKeyId"]}
	raw := out.Attributes["Policy"]
	if raw == "" {
		return doc, nil
	}
	if err := json.Unmarshal([]byte(raw), &doc.Fields); err != nil {
		return nil, fmt.Errorf("the policy of topic %s is not JSON: %w", topicARN, err)
	}
	stmts := doc.Fields["Statement"]
	delete(doc.Fields, "Statement")
	var list []json.RawMessage
	if len(stmts) > 0 && stmts[0] == '{' {
		list = []json.RawMessage{stmts}
	} else if len(stmts) > 0 {
		if err := json.Unmarshal(stmts, &list); err != nil {
			return nil, fmt.Errorf("the policy of topic %s has no statement list: %w", topicARN, err)
		}
	}
	for _, s := range list {
		var head struct{ Sid string }
		_ = json.Unmarshal(s, &head)
		doc.Statement = append(doc.Statement, policyStmt{Sid: head.Sid, Raw: s})
	}
	return doc, nil
}

func setTopicPolicy(ctx context.Context, c SNSAPI, topicARN string, doc *topicPolicyDoc) error {
	fields := map[string]any{}
	for k, v := range doc.Fields {
		fields[k] = v
	}
	if _, ok := fields["Version"]; !ok {
		fields["Version"] = "2012-10-17"
	}
	stmts := make([]json.RawMessage, 0, len(doc.Statement))
	for _, s := range doc.Statement {
		stmts = append(stmts, s.Raw)
	}
	fields["Statement"] = stmts
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	_, err = c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
		TopicArn: aws.String(topicARN), AttributeName: aws.String("Policy"), AttributeValue: aws.String(string(b)),
	})
	return err
}

// allowEvents puts (or replaces) the statement that lets EventBridge
// publish to the topic for this rule only.
func allowEvents(ctx context.Context, c SNSAPI, topicARN, ruleName, ruleARN string) error {
	doc, err := topicPolicy(ctx, c, topicARN)
	if err != nil {
		return err
	}
	if isSNSManagedKey(doc.KMSKey) {
		return &AlertTopicKeyError{TopicARN: topicARN, KeyID: doc.KMSKey}
	}
	sid := alertStatementPrefix + ruleName
	want, _ := json.Marshal(map[string]any{
		"Sid":       sid,
		"Effect":    "Allow",
		"Principal": map[string]string{"Service": eventsPrincipal},
		"Action":    "sns:Publish",
		"Resource":  topicARN,
		"Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": ruleARN}},
	})
	i := slices.IndexFunc(doc.Statement, func(s policyStmt) bool { return s.Sid == sid })
	if i >= 0 && samePattern(string(doc.Statement[i].Raw), string(want)) {
		return nil
	}
	if i >= 0 {
		doc.Statement[i].Raw = want
	} else {
		doc.Statement = append(doc.Statement, policyStmt{Sid: sid, Raw: want})
	}
	return setTopicPolicy(ctx, c, topicARN, doc)
}

// revokeEvents removes the rule's statement from the topic policy.
func revokeEvents(ctx context.Context, c SNSAPI, topicARN, ruleName string) error {
	doc, err := topicPolicy(ctx, c, topicARN)
	if err != nil {
		return err
	}
	sid := alertStatementPrefix + ruleName
	n := len(doc.Statement)
	doc.Statement = slices.DeleteFunc(doc.Statement, func(s policyStmt) bool { return s.Sid == sid })
	if len(doc.Statement) == n {
		return nil
	}
	if len(doc.Statement) == 0 {
		return errors.New("refusing to leave the topic policy without statements; remove " + sid + " by hand")
	}
	return setTopicPolicy(ctx, c, topicARN, doc)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// FindAlertTarget is the alerts child's refresh, one call
// (ListTargetsByRule): it proves the rule exists (EventBridge answers
// ResourceNotFoundException, a NotFoundError here, when it is gone) and
// names the topic our target sends to ("" when the target is gone).
// Targets the user added to the rule are left alone, and not drift.
// The rule's pattern and state and the topic policy are not read here:
// every apply re-puts them (EnsureAlerts).
func FindAlertTarget(ctx context.Context, c EventsAPI, n Names) (AlertState, error) {
	name := AlertRuleName(n)
	st := AlertState{RuleName: name}
	out, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name)})
	if isCode(err, codeResourceNotFound) {
		return st, &NotFoundError{Kind: KindAlertRule, ID: name, Err: err}
	}
	if err != nil {
		return st, err
	}
	for _, t := range out.Targets {
		if aws.ToString(t.Id) == alertTargetID {
			st.TopicARN = aws.ToString(t.Arn)
		}
	}
	return st, nil
}

// alertDrift compares what a refresh saw of the alert rule (nil: missing)
// with the spec.
func alertDrift(want *AlertSpec, seen *AlertState, n Names) []Drift {
	if want == nil {
		return nil
	}
	name := AlertRuleName(n)
	switch {
	case seen == nil:
		return []Drift{{Kind: DriftAlertRuleMissing, Message: fmt.Sprintf("the alert rule %s (EventBridge) is missing: rotation failures reach no topic", name)}}
	case seen.TopicARN == "":
		return []Drift{{Kind: DriftAlertTarget, Message: fmt.Sprintf("the alert rule %s no longer sends to the topic %s (its target was removed)", name, want.TopicARN)}}
	case seen.TopicARN != want.TopicARN:
		return []Drift{{Kind: DriftAlertTarget, Message: fmt.Sprintf("the alert rule %s sends to %s, not to the topic %s", name, seen.TopicARN, want.TopicARN)}}
	}
	return nil
}

// AlertTopicRegionError: the topic is in another region than the secret.
// An EventBridge rule sends to an SNS topic of its own region only (it
// reaches other regions through an event bus, not a topic).
type AlertTopicRegionError struct {
	TopicARN, TopicRegion, Region string
}

func (e *AlertTopicRegionError) Error() string {
	return fmt.Sprintf("the alert topic %s is in region %s, not in the secret's region %s", e.TopicARN, e.TopicRegion, e.Region)
}

// CheckAlertTopic checks the topic ARN against the secret's region.
func CheckAlertTopic(topicARN, region string) error {
	t, err := ParseTopicARN(topicARN)
	if err != nil {
		return err
	}
	if t.Region != region {
		return &AlertTopicRegionError{TopicARN: topicARN, TopicRegion: t.Region, Region: region}
	}
	return nil
}

func (s *Stack) alertClients() AlertClients { return AlertClients{Events: s.c.Events, SNS: s.c.SNS} }

// ensureAlerts creates or repairs the alerts child when the spec has one.
func (s *Stack) ensureAlerts(ctx context.Context, spec Spec, st *State) error {
	if spec.Alerts == nil {
		return nil
	}
	if err := CheckAlertTopic(spec.Alerts.TopicARN, spec.Region); err != nil {
		return stepErr("checking the alert topic", KindAlertRule, err)
	}
	a, err := EnsureAlerts(ctx, s.alertClients(), spec.Names(), st.SecretARN, spec.Alerts.TopicARN, spec.allTags())
	st.AlertRuleARN = a.RuleARN
	return err
}

// updateAlerts converges the alerts child on update: ensure it, revoke
// our statement from a topic the rule no longer sends to, or remove it all
// when alerts were removed. priorTopic is the topic of the prior state.
func (s *Stack) updateAlerts(ctx context.Context, spec Spec, st *State, priorTopic string) error {
	if spec.Alerts == nil {
		if priorTopic == "" {
			return nil
		}
		return DeleteAlerts(ctx, s.alertClients(), spec.Names(), priorTopic)
	}
	if err := s.ensureAlerts(ctx, spec, st); err != nil {
		return err
	}
	if priorTopic == "" || priorTopic == spec.Alerts.TopicARN {
		return nil
	}
	err := revokeEvents(ctx, s.c.SNS, priorTopic, AlertRuleName(spec.Names()))
	if err != nil && !IsTopicNotFound(err) {
		return stepErr("removing the alert rule's statement from the former topic's policy (SNS SetTopicAttributes)", KindAlertRule, err)
	}
	return nil
}

// importAlerts reads the alert rule back on import (one ListTargetsByRule):
// the topic our target sends to, or nil when there is no rule or no target
// of ours, or when the caller may not read EventBridge (a user without
// alerts need not grant it).
func (s *Stack) importAlerts(ctx context.Context, spec Spec, o *Observed) (*AlertSpec, error) {
	a, err := FindAlertTarget(ctx, s.c.Events, o.Names)
	switch {
	case IsNotFound(err) || isCode(err, codeAccessDenied):
		return nil, nil
	case err != nil:
		return nil, stepErr("reading the alert rule's target (EventBridge ListTargetsByRule)", KindAlertRule, err)
	case a.TopicARN == "":
		return nil, nil
	}
	sp := spec.WithAccountFrom(aws.ToString(o.Secret.ARN))
	a.RuleARN = AlertRuleARN(sp.partition(), sp.Region, sp.Account, a.RuleName)
	o.AlertRule = &a
	return &AlertSpec{TopicARN: a.TopicARN}, nil
}

// snsManagedKeyAlias is the AWS managed key of SNS. Its key policy cannot
// be changed, so it never lets events.amazonaws.com encrypt, and
// EventBridge cannot deliver to a topic it encrypts.
const snsManagedKeyAlias = "alias/aws/sns"

func isSNSManagedKey(id string) bool {
	return id == snsManagedKeyAlias || strings.HasSuffix(id, ":"+snsManagedKeyAlias)
}

// AlertTopicKeyError: the topic is encrypted with SNS's AWS managed key,
// so EventBridge's deliveries would fail without a word.
type AlertTopicKeyError struct {
	TopicARN, KeyID string
}

func (e *AlertTopicKeyError) Error() string {
	return fmt.Sprintf("the alert topic %s is encrypted with the AWS managed key %s, whose key policy cannot let EventBridge publish", e.TopicARN, e.KeyID)
}
