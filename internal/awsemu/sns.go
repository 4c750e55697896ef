package awsemu

// sns.go is the SNS backend (query protocol, XML): topics with attributes,
// a topic (resource) policy, tags and subscriptions, and Publish, which
// records every message so tests can read what was published (GET
// /_emu/sns/published). Nothing is delivered to subscribers. EventBridge
// delivers to a topic through deliverFromService, which evaluates the
// topic policy for the service principal as SNS does.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

var _ persistent = (*snsBackend)(nil)

const (
	snsXMLNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"
	// snsMaxMessageBytes is Publish's limit on Message (256 KiB).
	snsMaxMessageBytes = 262144
	// snsPublishedHistory is how many published messages a topic keeps for
	// GET /_emu/sns/published.
	snsPublishedHistory = 500
	// snsManagedKeyAlias is the AWS managed key for SNS. Its key policy
	// cannot grant service principals, so EventBridge cannot publish to a
	// topic encrypted with it (EventBridge User Guide, troubleshooting:
	// "my rule runs but my Amazon SNS topic isn't receiving events").
	snsManagedKeyAlias = "alias/aws/sns"
)

var snsTopicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// snsTopicAttributes are the attributes SetTopicAttributes accepts (the
// standard-topic ones; FIFO topics are not emulated).
var snsTopicAttributes = map[string]bool{
	"Policy": true, "DisplayName": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"TracingConfig": true, "SignatureVersion": true, "DataProtectionPolicy": true,
	"ArchivePolicy": true, "ContentBasedDeduplication": true,
}

// SNSMessage is one message published to a topic, as GET
// /_emu/sns/published returns it.
type SNSMessage struct {
	TopicARN  string    `json:"topic_arn"`
	MessageID string    `json:"message_id"`
	Subject   string    `json:"subject,omitempty"`
	Message   string    `json:"message"`
	Timestamp time.Time `json:"timestamp"` // emulator clock
	// Publisher is the caller's ARN, or the service principal (for example
	// "events.amazonaws.com") for a service delivery.
	Publisher string `json:"publisher"`
}

type snsSubscription struct {
	ARN      string `json:"arn"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	Pending  bool   `json:"pending"`
}

type snsTopic struct {
	ARN           string             `json:"arn"`
	Name          string             `json:"name"`
	Attributes    map[string]string  `json:"attributes"`
	Tags          map[string]string  `json:"tags"`
	Subscriptions []*snsSubscription `json:"subscriptions"`
	Published     []SNSMessage       `json:"published"`
}

// snsBackend holds SNS state.
type snsBackend struct {
	env   *Env
	authz Authorizer
	mu    sync.Mutex
	topic map[string]*snsTopic // by ARN
}

func newSNS(env *Env, authz Authorizer) *snsBackend {
	return &snsBackend{env: env, authz: authz, topic: map[string]*snsTopic{}}
}

// Service registers SNS with the core.
func (b *snsBackend) Service() *Service {
	return &Service{
		Name:         "sns",
		Protocol:     ProtocolQuery,
		XMLNamespace: snsXMLNamespace,
		Ops: map[string]Handler{
			"CreateTopic":              b.createTopic,
			"DeleteTopic":              b.deleteTopic,
			"GetTopicAttributes":       b.getTopicAttributes,
			"SetTopicAttributes":       b.setTopicAttributes,
			"ListTopics":               b.listTopics,
			"Publish":                  b.publish,
			"Subscribe":                b.subscribe,
			"Unsubscribe":              b.unsubscribe,
			"ListSubscriptionsByTopic": b.listSubscriptionsByTopic,
			"TagResource":              b.tagResource,
			"UntagResource":            b.untagResource,
			"ListTagsForResource":      b.listTagsForResource,
		},
	}
}

func snsErr(code, msg string) *APIError { return &APIError{Code: code, Message: msg, HTTPStatus: 400} }

func snsInvalid(msg string) *APIError { return snsErr("InvalidParameter", "Invalid parameter: "+msg) }

func snsNotFound() *APIError {
	return &APIError{Code: "NotFound", Message: "Topic does not exist", HTTPStatus: 404}
}

func (b *snsBackend) topicARN(name string) string {
	return "arn:aws:sns:" + b.env.Region + ":" + b.env.AccountID + ":" + name
}

// defaultTopicPolicy is the policy SNS gives a new topic: the owner
// account may use it; no service principal may publish.
func (b *snsBackend) defaultTopicPolicy(arn string) string {
	p := map[string]any{
		"Version": "2008-10-17",
		"Id":      "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid":       "__default_statement_ID",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action": []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
				"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": b.env.AccountID}},
		}},
	}
	out, _ := json.Marshal(p)
	return string(out)
}

// authorize checks an identity policy for a role caller and renders a
// denial the way SNS does (AuthorizationError, 403).
func (b *snsBackend) authorize(c *Call, action, resource string) error {
	if b.authz == nil {
		return nil
	}
	if err := b.authz.Authorize(c.Caller, action, resource, nil); err != nil {
		msg := err.Error()
		if ae, ok := err.(*APIError); ok {
			msg = ae.Message
		}
		return &APIError{Code: "AuthorizationError", Message: msg, HTTPStatus: 403}
	}
	return nil
}

// formMap reads a query-protocol map (Name.entry.N.key / .value).
func snsFormMap(c *Call, name string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		p := name + ".entry." + strconv.Itoa(i)
		k, ok := c.Form[p+".key"]
		if !ok || len(k) == 0 {
			return out
		}
		out[k[0]] = iamForm(c, p+".value")
	}
}

// lookupLocked finds a topic by ARN, checking the caller's permission.
func (b *snsBackend) lookupLocked(c *Call, action, arn string) (*snsTopic, error) {
	if arn == "" {
		return nil, snsInvalid("TopicArn")
	}
	if !strings.HasPrefix(arn, "arn:aws:sns:") || strings.Count(arn, ":") != 5 {
		return nil, snsInvalid("TopicArn")
	}
	if err := b.authorize(c, action, arn); err != nil {
		return nil, err
	}
	t := b.topic[arn]
	if t == nil {
		return nil, snsNotFound()
	}
	return t, nil
}

func validateTopicPolicy(doc string) error {
	if _, err := parsePolicy(doc, policyResource); err != nil {
		msg := err.Error()
		if ae, ok := err.(*APIError); ok {
			msg = ae.Message
		}
		return snsInvalid("Policy Error: " + msg)
	}
	return nil
}

type snsCreateTopicResult struct {
	TopicArn string `xml:"TopicArn"`
}

func (b *snsBackend) createTopic(c *Call) (any, error) {
	name := iamForm(c, "Name")
	if !snsTopicNameRE.MatchString(name) {
		if strings.HasSuffix(name, ".fifo") {
			return nil, snsInvalid("Topic Name: FIFO topics are not supported by the emulator")
		}
		return nil, snsInvalid("Topic Name")
	}
	attrs := snsFormMap(c, "Attributes")
	for k, v := range attrs {
		if !snsTopicAttributes[k] {
			return nil, snsInvalid("Attributes Reason: Unknown attribute " + k)
		}
		if k == "Policy" {
			if err := validateTopicPolicy(v); err != nil {
				return nil, err
			}
		}
	}
	tags := iamFormTags(c)
	arn := b.topicARN(name)
	if err := b.authorize(c, "sns:CreateTopic", arn); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.topic[arn]; t != nil {
		// CreateTopic is idempotent, but not with other attributes.
		for k, v := range attrs {
			if t.Attributes[k] != v {
				return nil, snsInvalid("Attributes Reason: Topic already exists with different attributes")
			}
		}
		return snsCreateTopicResult{TopicArn: arn}, nil
	}
	t := &snsTopic{ARN: arn, Name: name, Attributes: map[string]string{}, Tags: map[string]string{}}
	t.Attributes["Policy"] = b.defaultTopicPolicy(arn)
	for k, v := range attrs {
		t.Attributes[k] = v
	}
	for _, tag := range tags {
		t.Tags[tag.Key] = tag.Value
	}
	b.topic[arn] = t
	return snsCreateTopicResult{TopicArn: arn}, nil
}

// deleteTopic succeeds for a topic that does not exist, as SNS documents.
func (b *snsBackend) deleteTopic(c *Call) (any, error) {
	arn := iamForm(c, "TopicArn")
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.lookupLocked(c, "sns:DeleteTopic", arn); err != nil {
		var ae *APIError
		if ok := asAPIError(err, &ae); ok && ae.Code == "NotFound" {
			return nil, nil
		}
		return nil, err
	}
	delete(b.topic, arn)
	return nil, nil
}

func asAPIError(err error, out **APIError) bool {
	ae, ok := err.(*APIError)
	if ok {
		*out = ae
	}
	return ok
}

type snsEntry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type snsAttributesResult struct {
	Attributes []snsEntry `xml:"Attributes>entry"`
}

func (b *snsBackend) getTopicAttributes(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:GetTopicAttributes", iamForm(c, "TopicArn"))
	if err != nil {
		return nil, err
	}
	confirmed, pending := 0, 0
	for _, s := range t.Subscriptions {
		if s.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	attrs := map[string]string{
		"TopicArn": t.ARN, "Owner": b.env.AccountID, "DisplayName": "",
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": strconv.Itoa(pending),
		"SubscriptionsDeleted": "0", "EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
	}
	for k, v := range t.Attributes {
		attrs[k] = v
	}
	out := snsAttributesResult{}
	for _, k := range policySortedKeys(attrs) {
		out.Attributes = append(out.Attributes, snsEntry{Key: k, Value: attrs[k]})
	}
	return out, nil
}

func (b *snsBackend) setTopicAttributes(c *Call) (any, error) {
	name, value := iamForm(c, "AttributeName"), iamForm(c, "AttributeValue")
	if !snsTopicAttributes[name] {
		return nil, snsInvalid("AttributeName")
	}
	if name == "Policy" {
		if value == "" {
			return nil, snsInvalid("Policy Error: null")
		}
		if err := validateTopicPolicy(value); err != nil {
			return nil, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:SetTopicAttributes", iamForm(c, "TopicArn"))
	if err != nil {
		return nil, err
	}
	t.Attributes[name] = value
	return nil, nil
}

type snsTopicMember struct {
	TopicArn string `xml:"TopicArn"`
}

type snsListTopicsResult struct {
	Topics []snsTopicMember `xml:"Topics>member"`
}

func (b *snsBackend) listTopics(c *Call) (any, error) {
	if err := b.authorize(c, "sns:ListTopics", "*"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := snsListTopicsResult{Topics: []snsTopicMember{}}
	for _, arn := range policySortedKeys(b.topic) {
		out.Topics = append(out.Topics, snsTopicMember{TopicArn: arn})
	}
	return out, nil
}

type snsPublishResult struct {
	MessageId string `xml:"MessageId"`
}

func (b *snsBackend) publish(c *Call) (any, error) {
	arn := iamForm(c, "TopicArn")
	if arn == "" {
		arn = iamForm(c, "TargetArn")
	}
	if iamForm(c, "PhoneNumber") != "" {
		return nil, snsInvalid("PhoneNumber Reason: SMS is not supported by the emulator")
	}
	msg, ok := c.Form["Message"]
	if !ok || len(msg) == 0 || msg[0] == "" {
		return nil, snsInvalid("Empty message")
	}
	if len(msg[0]) > snsMaxMessageBytes {
		return nil, snsInvalid("Message too long")
	}
	subject := iamForm(c, "Subject")
	if subject != "" && (len(subject) > 100 || !utf8.ValidString(subject) || strings.ContainsAny(subject, "\r\n")) {
		return nil, snsInvalid("Subject")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:Publish", arn)
	if err != nil {
		return nil, err
	}
	id := b.recordLocked(t, subject, msg[0], c.Caller.ARN, c.Now)
	return snsPublishResult{MessageId: id}, nil
}

func (b *snsBackend) recordLocked(t *snsTopic, subject, message, publisher string, now time.Time) string {
	id := emuUUID()
	t.Published = append(t.Published, SNSMessage{TopicARN: t.ARN, MessageID: id, Subject: subject, Message: message, Timestamp: now, Publisher: publisher})
	if len(t.Published) > snsPublishedHistory {
		t.Published = t.Published[len(t.Published)-snsPublishedHistory:]
	}
	return id
}

// deliverFromService publishes message to a topic on behalf of a service
// principal (EventBridge delivering a matched event), as SNS does: the
// topic must exist and its policy must allow the principal sns:Publish
// with the source's aws:SourceArn and aws:SourceAccount. The default
// topic policy allows no service, so an unprepared topic gets nothing.
func (b *snsBackend) deliverFromService(topicARN, principal, sourceARN, message string, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.topic[topicARN]
	if t == nil {
		return snsNotFound()
	}
	doc, err := parsePolicy(t.Attributes["Policy"], policyResource)
	if err != nil {
		return fmt.Errorf("the topic policy does not parse: %w", err)
	}
	keys := map[string]string{"aws:SourceArn": sourceARN, "aws:SourceAccount": b.env.AccountID}
	if evaluateResource(doc, "Service", principal, "sns:Publish", topicARN, keys) != policyAllow {
		return &APIError{Code: "AuthorizationError", Message: "The topic policy of " + topicARN + " does not allow " + principal +
			" to call sns:Publish for " + sourceARN, HTTPStatus: 403}
	}
	if k := t.Attributes["KmsMasterKeyId"]; k == snsManagedKeyAlias || strings.HasSuffix(k, ":"+snsManagedKeyAlias) {
		return &APIError{Code: "KMS.AccessDeniedException", Message: "The topic " + topicARN + " is encrypted with the AWS managed key " +
			snsManagedKeyAlias + ", whose key policy " + principal + " cannot be added to; use a customer managed key", HTTPStatus: 400}
	}
	b.recordLocked(t, "", message, principal, now)
	return nil
}

type snsSubscribeResult struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

// snsProtocols are the subscription protocols SNS accepts; those needing a
// confirmation stay "pending confirmation".
var snsProtocols = map[string]bool{"http": true, "https": true, "email": true, "email-json": true, "sms": false,
	"sqs": false, "lambda": false, "firehose": false, "application": false}

func (b *snsBackend) subscribe(c *Call) (any, error) {
	proto, endpoint := iamForm(c, "Protocol"), iamForm(c, "Endpoint")
	needsConfirm, known := snsProtocols[proto]
	if !known {
		return nil, snsInvalid("Invalid protocol type: " + proto)
	}
	if endpoint == "" {
		return nil, snsInvalid("Invalid parameter: Endpoint")
	}
	if (proto == "sqs" || proto == "lambda" || proto == "firehose") && !strings.HasPrefix(endpoint, "arn:") {
		return nil, snsInvalid(proto + " endpoint ARN")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:Subscribe", iamForm(c, "TopicArn"))
	if err != nil {
		return nil, err
	}
	for _, s := range t.Subscriptions {
		if s.Protocol == proto && s.Endpoint == endpoint {
			return b.subscriptionResult(c, s), nil
		}
	}
	s := &snsSubscription{ARN: t.ARN + ":" + emuUUID(), Protocol: proto, Endpoint: endpoint, Pending: needsConfirm}
	t.Subscriptions = append(t.Subscriptions, s)
	return b.subscriptionResult(c, s), nil
}

func (b *snsBackend) subscriptionResult(c *Call, s *snsSubscription) snsSubscribeResult {
	if s.Pending && iamForm(c, "ReturnSubscriptionArn") != "true" {
		return snsSubscribeResult{SubscriptionArn: "pending confirmation"}
	}
	return snsSubscribeResult{SubscriptionArn: s.ARN}
}

func (b *snsBackend) unsubscribe(c *Call) (any, error) {
	arn := iamForm(c, "SubscriptionArn")
	i := strings.LastIndex(arn, ":")
	if i < 0 || !strings.HasPrefix(arn, "arn:aws:sns:") {
		return nil, snsInvalid("SubscriptionArn")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:Unsubscribe", arn[:i])
	if err != nil {
		return nil, snsErr("NotFound", "Subscription does not exist")
	}
	for j, s := range t.Subscriptions {
		if s.ARN == arn {
			t.Subscriptions = append(t.Subscriptions[:j], t.Subscriptions[j+1:]...)
			return nil, nil
		}
	}
	return nil, &APIError{Code: "NotFound", Message: "Subscription does not exist", HTTPStatus: 404}
}

type snsSubscriptionMember struct {
	TopicArn        string `xml:"TopicArn"`
	Protocol        string `xml:"Protocol"`
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Endpoint        string `xml:"Endpoint"`
}

type snsListSubscriptionsResult struct {
	Subscriptions []snsSubscriptionMember `xml:"Subscriptions>member"`
}

func (b *snsBackend) listSubscriptionsByTopic(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:ListSubscriptionsByTopic", iamForm(c, "TopicArn"))
	if err != nil {
		return nil, err
	}
	out := snsListSubscriptionsResult{Subscriptions: []snsSubscriptionMember{}}
	for _, s := range t.Subscriptions {
		arn := s.ARN
		if s.Pending {
			arn = "PendingConfirmation"
		}
		out.Subscriptions = append(out.Subscriptions, snsSubscriptionMember{TopicArn: t.ARN, Protocol: s.Protocol,
			SubscriptionArn: arn, Owner: b.env.AccountID, Endpoint: s.Endpoint})
	}
	return out, nil
}

func (b *snsBackend) tagResource(c *Call) (any, error) {
	tags := iamFormTags(c)
	if len(tags) == 0 {
		return nil, snsInvalid("Tags")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:TagResource", iamForm(c, "ResourceArn"))
	if err != nil {
		return nil, snsTagsNotFound(err)
	}
	if len(t.Tags)+len(tags) > 50 {
		return nil, snsErr("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
	}
	for _, tag := range tags {
		t.Tags[tag.Key] = tag.Value
	}
	return nil, nil
}

func (b *snsBackend) untagResource(c *Call) (any, error) {
	keys := iamFormList(c, "TagKeys")
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:UntagResource", iamForm(c, "ResourceArn"))
	if err != nil {
		return nil, snsTagsNotFound(err)
	}
	for _, k := range keys {
		delete(t.Tags, k)
	}
	return nil, nil
}

type snsTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type snsTagsResult struct {
	Tags []snsTag `xml:"Tags>member"`
}

func (b *snsBackend) listTagsForResource(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, err := b.lookupLocked(c, "sns:ListTagsForResource", iamForm(c, "ResourceArn"))
	if err != nil {
		return nil, snsTagsNotFound(err)
	}
	out := snsTagsResult{Tags: []snsTag{}}
	for _, k := range policySortedKeys(t.Tags) {
		out.Tags = append(out.Tags, snsTag{Key: k, Value: t.Tags[k]})
	}
	return out, nil
}

// snsTagsNotFound: the tagging operations answer ResourceNotFound.
func snsTagsNotFound(err error) error {
	var ae *APIError
	if asAPIError(err, &ae) && ae.Code == "NotFound" {
		return &APIError{Code: "ResourceNotFound", Message: "Resource does not exist", HTTPStatus: 404}
	}
	return err
}

// published returns the recorded messages of one topic (or of every topic
// when arn is ""), oldest first.
func (b *snsBackend) published(arn string) []SNSMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []SNSMessage{}
	for _, a := range policySortedKeys(b.topic) {
		if arn == "" || a == arn {
			out = append(out, b.topic[a].Published...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

func (b *snsBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(b.topic)
}

func (b *snsBackend) restore(data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := map[string]*snsTopic{}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	b.topic = m
	return nil
}
