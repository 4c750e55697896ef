package awsemu

// events.go is the EventBridge backend (JSON 1.1, target prefix
// AWSEvents) for the default event bus: rules with event patterns,
// targets, tags, PutEvents, and the events AWS services put on the bus
// (emit). A matched event is delivered at once to each target; SNS topics
// are the one target type delivered to (through the topic policy, as
// EventBridge does for events.amazonaws.com). Every emitted event and
// every delivery or failed invocation is kept for GET /_emu/events.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

var _ persistent = (*eventsBackend)(nil)

const (
	eventsServicePrincipal = "events.amazonaws.com"
	eventsDefaultBus       = "default"
	// eventsMaxTargetsPerRule is EventBridge's quota of targets per rule.
	eventsMaxTargetsPerRule = 5
	// eventsHistory is how many emitted events GET /_emu/events keeps.
	eventsHistory = 500
)

var (
	eventsRuleNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	eventsTargetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	eventsStates     = []string{"ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}
)

type eventsTarget struct {
	ID        string `json:"Id"`
	Arn       string `json:"Arn"`
	RoleArn   string `json:"RoleArn,omitempty"`
	Input     string `json:"Input,omitempty"`
	InputPath string `json:"InputPath,omitempty"`
}

type eventsRule struct {
	Name         string            `json:"name"`
	ARN          string            `json:"arn"`
	EventPattern string            `json:"eventPattern,omitempty"`
	Schedule     string            `json:"schedule,omitempty"`
	State        string            `json:"state"`
	Description  string            `json:"description,omitempty"`
	RoleArn      string            `json:"roleArn,omitempty"`
	Tags         map[string]string `json:"tags"`
	Targets      []eventsTarget    `json:"targets"`
}

// EventDelivery is one attempt to hand a matched event to a target, as
// GET /_emu/events reports it.
type EventDelivery struct {
	Rule     string `json:"rule"`
	TargetID string `json:"target_id"`
	Target   string `json:"target_arn"`
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"` // why the invocation failed (AWS counts it in FailedInvocations)
}

// EmittedEvent is one event put on the default bus, with its deliveries.
type EmittedEvent struct {
	Event      json.RawMessage `json:"event"`
	Deliveries []EventDelivery `json:"deliveries"`
}

// eventsBackend holds EventBridge state.
type eventsBackend struct {
	env   *Env
	authz Authorizer
	sns   *snsBackend // delivery of SNS targets; may be nil

	mu      sync.Mutex
	rules   map[string]*eventsRule // by name, default bus only
	emitted []EmittedEvent
}

func newEvents(env *Env, authz Authorizer, sns *snsBackend) *eventsBackend {
	return &eventsBackend{env: env, authz: authz, sns: sns, rules: map[string]*eventsRule{}}
}

// Service registers EventBridge with the core.
func (b *eventsBackend) Service() *Service {
	return &Service{
		Name:         "events",
		Protocol:     ProtocolJSON11,
		TargetPrefix: "AWSEvents",
		Ops: map[string]Handler{
			"PutRule":             b.putRule,
			"DescribeRule":        b.describeRule,
			"DeleteRule":          b.deleteRule,
			"ListRules":           b.listRules,
			"EnableRule":          b.enableRule,
			"DisableRule":         b.disableRule,
			"PutTargets":          b.putTargets,
			"ListTargetsByRule":   b.listTargetsByRule,
			"RemoveTargets":       b.removeTargets,
			"TagResource":         b.tagResource,
			"UntagResource":       b.untagResource,
			"ListTagsForResource": b.listTagsForResource,
			"PutEvents":           b.putEvents,
		},
	}
}

func eventsValidation(msg string) *APIError {
	return &APIError{Code: "ValidationException", Message: msg, HTTPStatus: 400}
}

func eventsRuleNotFound(name string) *APIError {
	return &APIError{Code: "ResourceNotFoundException", Message: "Rule " + name + " does not exist on EventBus default.", HTTPStatus: 400}
}

func (b *eventsBackend) ruleARN(name string) string {
	return "arn:aws:events:" + b.env.Region + ":" + b.env.AccountID + ":rule/" + name
}

func (b *eventsBackend) decode(c *Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return &APIError{Code: "SerializationException", Message: "could not parse the request body", HTTPStatus: 400}
	}
	return nil
}

// checkBus accepts only the default bus (by name or ARN).
func (b *eventsBackend) checkBus(bus string) error {
	if bus == "" || bus == eventsDefaultBus || bus == "arn:aws:events:"+b.env.Region+":"+b.env.AccountID+":event-bus/default" {
		return nil
	}
	return &APIError{Code: "ResourceNotFoundException", Message: "Event bus " + bus + " does not exist.", HTTPStatus: 400}
}

func (b *eventsBackend) authorize(c *Call, action, resource string) error {
	if b.authz == nil {
		return nil
	}
	return b.authz.Authorize(c.Caller, action, resource, nil)
}

// ruleLocked finds a rule by name after checking the caller's permission.
func (b *eventsBackend) ruleLocked(c *Call, action, name, bus string) (*eventsRule, error) {
	if err := b.checkBus(bus); err != nil {
		return nil, err
	}
	if !eventsRuleNameRE.MatchString(name) {
		return nil, eventsValidation("1 validation error detected: Value '" + name + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	if err := b.authorize(c, action, b.ruleARN(name)); err != nil {
		return nil, err
	}
	r := b.rules[name]
	if r == nil {
		return nil, eventsRuleNotFound(name)
	}
	return r, nil
}

type eventsTag struct {
	Key   string
	Value string
}

func (b *eventsBackend) putRule(c *Call) (any, error) {
	var in struct {
		Name               string
		ScheduleExpression string
		EventPattern       string
		State              string
		Description        string
		RoleArn            string
		Tags               []eventsTag
		EventBusName       string
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if !eventsRuleNameRE.MatchString(in.Name) {
		return nil, eventsValidation("1 validation error detected: Value '" + in.Name + "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, eventsValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != "" {
		if _, err := parseEventPattern(in.EventPattern); err != nil {
			return nil, err
		}
	}
	if in.ScheduleExpression != "" && !regexp.MustCompile(`^(rate|cron)\(.+\)$`).MatchString(in.ScheduleExpression) {
		return nil, eventsValidation("Parameter ScheduleExpression is not valid.")
	}
	if in.State == "" {
		in.State = "ENABLED"
	}
	if !slices.Contains(eventsStates, in.State) {
		return nil, eventsValidation("1 validation error detected: Value '" + in.State + "' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")
	}
	if len(in.Description) > 512 {
		return nil, eventsValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	arn := b.ruleARN(in.Name)
	if err := b.authorize(c, "events:PutRule", arn); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.rules[in.Name]
	if r == nil {
		// Tags apply when the rule is created; an update keeps the old ones.
		r = &eventsRule{Name: in.Name, ARN: arn, Tags: map[string]string{}, Targets: []eventsTarget{}}
		for _, t := range in.Tags {
			r.Tags[t.Key] = t.Value
		}
		b.rules[in.Name] = r
	}
	r.EventPattern, r.Schedule, r.State, r.Description, r.RoleArn = in.EventPattern, in.ScheduleExpression, in.State, in.Description, in.RoleArn
	return map[string]any{"RuleArn": arn}, nil
}

func (b *eventsBackend) describeRule(c *Call) (any, error) {
	var in struct{ Name, EventBusName string }
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, "events:DescribeRule", in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	return b.ruleOut(r), nil
}

func (b *eventsBackend) ruleOut(r *eventsRule) map[string]any {
	out := map[string]any{"Name": r.Name, "Arn": r.ARN, "State": r.State, "EventBusName": eventsDefaultBus, "CreatedBy": b.env.AccountID}
	if r.EventPattern != "" {
		out["EventPattern"] = r.EventPattern
	}
	if r.Schedule != "" {
		out["ScheduleExpression"] = r.Schedule
	}
	if r.Description != "" {
		out["Description"] = r.Description
	}
	if r.RoleArn != "" {
		out["RoleArn"] = r.RoleArn
	}
	return out
}

// deleteRule succeeds for a rule that does not exist, as EventBridge
// documents, and refuses a rule that still has targets.
func (b *eventsBackend) deleteRule(c *Call) (any, error) {
	var in struct {
		Name, EventBusName string
		Force              bool
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, "events:DeleteRule", in.Name, in.EventBusName)
	if err != nil {
		if ae, ok := err.(*APIError); ok && ae.Code == "ResourceNotFoundException" {
			return nil, nil
		}
		return nil, err
	}
	if len(r.Targets) > 0 {
		return nil, eventsValidation("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, in.Name)
	return nil, nil
}

func (b *eventsBackend) listRules(c *Call) (any, error) {
	var in struct{ NamePrefix, EventBusName string }
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.checkBus(in.EventBusName); err != nil {
		return nil, err
	}
	if err := b.authorize(c, "events:ListRules", "*"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	list := []map[string]any{}
	for _, name := range policySortedKeys(b.rules) {
		if strings.HasPrefix(name, in.NamePrefix) {
			list = append(list, b.ruleOut(b.rules[name]))
		}
	}
	return map[string]any{"Rules": list}, nil
}

func (b *eventsBackend) setState(c *Call, action, state string) (any, error) {
	var in struct{ Name, EventBusName string }
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, action, in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.State = state
	return nil, nil
}

func (b *eventsBackend) enableRule(c *Call) (any, error) {
	return b.setState(c, "events:EnableRule", "ENABLED")
}

func (b *eventsBackend) disableRule(c *Call) (any, error) {
	return b.setState(c, "events:DisableRule", "DISABLED")
}

func (b *eventsBackend) putTargets(c *Call) (any, error) {
	var in struct {
		Rule         string
		EventBusName string
		Targets      []struct {
			Id, Arn, RoleArn, Input, InputPath string
			InputTransformer                   json.RawMessage
		}
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, eventsValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, "events:PutTargets", in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	next := append([]eventsTarget{}, r.Targets...)
	for _, t := range in.Targets {
		if !eventsTargetIDRE.MatchString(t.Id) {
			return nil, eventsValidation("1 validation error detected: Value '" + t.Id + "' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
		}
		if !strings.HasPrefix(t.Arn, "arn:") {
			return nil, eventsValidation("Parameter " + t.Arn + " is not valid. Reason: Provided Arn is not in correct format.")
		}
		if len(t.InputTransformer) > 0 && string(t.InputTransformer) != "null" {
			return nil, eventsValidation("InputTransformer is not supported by the emulator; use Input or InputPath")
		}
		if t.Input != "" && t.InputPath != "" {
			return nil, eventsValidation("Only one of Input, InputPath, or InputTransformer must be provided.")
		}
		if t.Input != "" && !json.Valid([]byte(t.Input)) {
			return nil, eventsValidation("Input is not valid JSON.")
		}
		if t.InputPath != "" && !strings.HasPrefix(t.InputPath, "$") {
			return nil, eventsValidation("InputPath is not a valid JSON path.")
		}
		nt := eventsTarget{ID: t.Id, Arn: t.Arn, RoleArn: t.RoleArn, Input: t.Input, InputPath: t.InputPath}
		if i := slices.IndexFunc(next, func(x eventsTarget) bool { return x.ID == t.Id }); i >= 0 {
			next[i] = nt
		} else {
			next = append(next, nt)
		}
	}
	if len(next) > eventsMaxTargetsPerRule {
		return nil, &APIError{Code: "LimitExceededException", Message: "The requested resource exceeds the maximum number allowed.", HTTPStatus: 400}
	}
	r.Targets = next
	return map[string]any{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

func (b *eventsBackend) listTargetsByRule(c *Call) (any, error) {
	var in struct{ Rule, EventBusName string }
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, "events:ListTargetsByRule", in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Targets": append([]eventsTarget{}, r.Targets...)}, nil
}

func (b *eventsBackend) removeTargets(c *Call) (any, error) {
	var in struct {
		Rule, EventBusName string
		Ids                []string
		Force              bool
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, eventsValidation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleLocked(c, "events:RemoveTargets", in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.Targets = slices.DeleteFunc(r.Targets, func(t eventsTarget) bool { return slices.Contains(in.Ids, t.ID) })
	return map[string]any{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

// ruleFromARN resolves a rule ARN of the default bus for the tag operations.
func (b *eventsBackend) ruleFromARN(c *Call, action, arn string) (*eventsRule, error) {
	prefix := "arn:aws:events:" + b.env.Region + ":" + b.env.AccountID + ":rule/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || strings.Contains(name, "/") {
		return nil, &APIError{Code: "ResourceNotFoundException", Message: "Rule " + arn + " does not exist.", HTTPStatus: 400}
	}
	return b.ruleLocked(c, action, name, "")
}

func (b *eventsBackend) tagResource(c *Call) (any, error) {
	var in struct {
		ResourceARN string
		Tags        []eventsTag
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleFromARN(c, "events:TagResource", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		r.Tags[t.Key] = t.Value
	}
	return nil, nil
}

func (b *eventsBackend) untagResource(c *Call) (any, error) {
	var in struct {
		ResourceARN string
		TagKeys     []string
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleFromARN(c, "events:UntagResource", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(r.Tags, k)
	}
	return nil, nil
}

func (b *eventsBackend) listTagsForResource(c *Call) (any, error) {
	var in struct{ ResourceARN string }
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.ruleFromARN(c, "events:ListTagsForResource", in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags := []eventsTag{}
	for _, k := range policySortedKeys(r.Tags) {
		tags = append(tags, eventsTag{Key: k, Value: r.Tags[k]})
	}
	return map[string]any{"Tags": tags}, nil
}

// putEvents puts custom events on the default bus. Sources starting with
// "aws." are reserved for AWS services.
func (b *eventsBackend) putEvents(c *Call) (any, error) {
	var in struct {
		Entries []struct {
			Source, DetailType, Detail, EventBusName string
			Resources                                []string
		}
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		return nil, eventsValidation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	if err := b.authorize(c, "events:PutEvents", "arn:aws:events:"+b.env.Region+":"+b.env.AccountID+":event-bus/default"); err != nil {
		return nil, err
	}
	entries, failed := []map[string]any{}, 0
	for _, e := range in.Entries {
		var detail map[string]any
		switch {
		case b.checkBus(e.EventBusName) != nil:
			entries, failed = append(entries, map[string]any{"ErrorCode": "ResourceNotFoundException", "ErrorMessage": "Event bus " + e.EventBusName + " does not exist."}), failed+1
		case e.Source == "" || e.DetailType == "" || e.Detail == "":
			entries, failed = append(entries, map[string]any{"ErrorCode": "MalformedDetail", "ErrorMessage": "Source, DetailType and Detail are required."}), failed+1
		case strings.HasPrefix(e.Source, "aws."):
			entries, failed = append(entries, map[string]any{"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."}), failed+1
		case json.Unmarshal([]byte(e.Detail), &detail) != nil:
			entries, failed = append(entries, map[string]any{"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}), failed+1
		default:
			id := b.emit(e.Source, e.DetailType, json.RawMessage(e.Detail), e.Resources, c.Now)
			entries = append(entries, map[string]any{"EventId": id})
		}
	}
	return map[string]any{"FailedEntryCount": failed, "Entries": entries}, nil
}

// emit puts an event on the default bus, matches it against every enabled
// rule and delivers it to the rules' targets. It returns the event ID.
// Services call it (Secrets Manager's rotation events); it takes only the
// EventBridge and SNS locks.
func (b *eventsBackend) emit(source, detailType string, detail json.RawMessage, resources []string, now time.Time) string {
	if resources == nil {
		resources = []string{}
	}
	id := emuUUID()
	env := map[string]any{
		"version": "0", "id": id, "detail-type": detailType, "source": source, "account": b.env.AccountID,
		"time": now.UTC().Format("2006-01-02T15:04:05Z"), "region": b.env.Region, "resources": resources, "detail": detail,
	}
	raw, _ := json.Marshal(env)
	var decoded map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	_ = dec.Decode(&decoded)

	b.mu.Lock()
	type job struct {
		rule   string
		target eventsTarget
	}
	var jobs []job
	for _, name := range policySortedKeys(b.rules) {
		r := b.rules[name]
		if r.State == "DISABLED" || r.EventPattern == "" {
			continue
		}
		// ENABLED rules skip read-only management events from CloudTrail
		// (eb-service-event-cloudtrail-management.html).
		if r.State == "ENABLED" && strings.HasSuffix(detailType, "via CloudTrail") && readOnlyEvent(decoded) {
			continue
		}
		p, err := parseEventPattern(r.EventPattern)
		if err != nil || !matchEventPattern(p, decoded) {
			continue
		}
		for _, t := range r.Targets {
			jobs = append(jobs, job{rule: r.ARN, target: t})
		}
	}
	b.mu.Unlock()

	rec := EmittedEvent{Event: raw, Deliveries: []EventDelivery{}}
	for _, j := range jobs {
		d := EventDelivery{Rule: j.rule, TargetID: j.target.ID, Target: j.target.Arn}
		if err := b.deliver(j.rule, j.target, raw, decoded, now); err != nil {
			d.Error = err.Error()
		} else {
			d.OK = true
		}
		rec.Deliveries = append(rec.Deliveries, d)
	}
	b.mu.Lock()
	b.emitted = append(b.emitted, rec)
	if len(b.emitted) > eventsHistory {
		b.emitted = b.emitted[len(b.emitted)-eventsHistory:]
	}
	b.mu.Unlock()
	return id
}

func readOnlyEvent(ev map[string]any) bool {
	d, _ := ev["detail"].(map[string]any)
	ro, _ := d["readOnly"].(bool)
	return ro
}

// deliver hands one event to one target.
func (b *eventsBackend) deliver(ruleARN string, t eventsTarget, raw json.RawMessage, decoded map[string]any, now time.Time) error {
	body := string(raw)
	switch {
	case t.Input != "":
		body = t.Input
	case t.InputPath != "":
		v, ok := jsonPathGet(decoded, t.InputPath)
		if !ok {
			return fmt.Errorf("InputPath %s selects nothing in the event", t.InputPath)
		}
		out, _ := json.Marshal(v)
		body = string(out)
	}
	if !strings.HasPrefix(t.Arn, "arn:aws:sns:") {
		return fmt.Errorf("the emulator delivers only to SNS topics, not to %s", t.Arn)
	}
	if b.sns == nil {
		return fmt.Errorf("SNS is not emulated")
	}
	return b.sns.deliverFromService(t.Arn, eventsServicePrincipal, ruleARN, body, now)
}

// jsonPathGet follows a simple JSON path ($, $.a.b).
func jsonPathGet(v map[string]any, path string) (any, bool) {
	rest, ok := strings.CutPrefix(path, "$")
	if !ok {
		return nil, false
	}
	var cur any = v
	for _, part := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		if part == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// emittedEvents returns the events put on the bus, oldest first.
func (b *eventsBackend) emittedEvents() []EmittedEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]EmittedEvent{}, b.emitted...)
}

func (b *eventsBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(b.rules)
}

func (b *eventsBackend) restore(data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := map[string]*eventsRule{}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	b.rules = m
	return nil
}
