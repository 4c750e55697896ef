package awsemu

// logs.go is the CloudWatch Logs backend (JSON 1.1, target prefix
// Logs_20140328): log groups with retention and tags, log streams and
// events, and the reads a user needs to look at what functions printed.
// Lambda appends invocation output through appendEvents.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var _ persistent = (*logsBackend)(nil)

// logsRetentionDays are the values PutRetentionPolicy accepts.
var logsRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// logsMaxEventsPerCall is the default and maximum number of events returned
// by one GetLogEvents/FilterLogEvents call.
const logsMaxEventsPerCall = 10000

type logEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type logStream struct {
	Name    string     `json:"name"`
	Created int64      `json:"created"`
	Events  []logEvent `json:"events"`
}

type logGroup struct {
	Name      string                `json:"name"`
	Created   int64                 `json:"created"`
	Retention *int                  `json:"retention,omitempty"`
	KMSKeyID  string                `json:"kmsKeyId,omitempty"`
	Tags      map[string]string     `json:"tags"`
	Streams   map[string]*logStream `json:"streams"`
}

// logsBackend holds CloudWatch Logs state.
type logsBackend struct {
	env   *Env
	authz Authorizer
	mu    sync.Mutex
	group map[string]*logGroup
}

func newLogs(env *Env, authz Authorizer) *logsBackend {
	return &logsBackend{env: env, authz: authz, group: map[string]*logGroup{}}
}

// Service registers CloudWatch Logs with the core.
func (b *logsBackend) Service() *Service {
	return &Service{
		Name:         "logs",
		Protocol:     ProtocolJSON11,
		TargetPrefix: "Logs_20140328",
		Ops: map[string]Handler{
			"CreateLogGroup":        b.createLogGroup,
			"DeleteLogGroup":        b.deleteLogGroup,
			"DescribeLogGroups":     b.describeLogGroups,
			"PutRetentionPolicy":    b.putRetentionPolicy,
			"DeleteRetentionPolicy": b.deleteRetentionPolicy,
			"TagResource":           b.tagResource,
			"UntagResource":         b.untagResource,
			"ListTagsForResource":   b.listTagsForResource,
			"TagLogGroup":           b.tagLogGroup,
			"ListTagsLogGroup":      b.listTagsLogGroup,
			"CreateLogStream":       b.createLogStream,
			"DescribeLogStreams":    b.describeLogStreams,
			"PutLogEvents":          b.putLogEvents,
			"GetLogEvents":          b.getLogEvents,
			"FilterLogEvents":       b.filterLogEvents,
		},
	}
}

func logsErr(code, msg string) *APIError { return &APIError{Code: code, Message: msg, HTTPStatus: 400} }

func logsGroupNotFound() *APIError {
	return logsErr("ResourceNotFoundException", "The specified log group does not exist.")
}

func (b *logsBackend) groupARN(name string) string {
	return "arn:aws:logs:" + b.env.Region + ":" + b.env.AccountID + ":log-group:" + name
}

func (b *logsBackend) decode(c *Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return logsErr("SerializationException", "could not parse the request body")
	}
	return nil
}

// authorizeGroup authorises a group-level action. Policies name log groups
// both as "log-group:NAME" and "log-group:NAME:*"; either grants.
func (b *logsBackend) authorizeGroup(c *Call, action, name string) error {
	err := b.authz.Authorize(c.Caller, action, b.groupARN(name)+":*", nil)
	if err == nil {
		return nil
	}
	if b.authz.Authorize(c.Caller, action, b.groupARN(name), nil) == nil {
		return nil
	}
	return err
}

func logsGroupNameOK(n string) bool {
	if n == "" || len(n) > 512 {
		return false
	}
	for _, r := range n {
		if !logsNameChar(r) {
			return false
		}
	}
	return true
}

// logsNameChar reports whether r may appear in a log group name.
func logsNameChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-/.#", r)
}

func logsValidateGroupName(n string) error {
	if !logsGroupNameOK(n) {
		return logsErr("InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", n))
	}
	return nil
}

// ---- groups ----

func (b *logsBackend) createLogGroup(c *Call) (any, error) {
	var in struct {
		LogGroupName string            `json:"logGroupName"`
		KmsKeyID     string            `json:"kmsKeyId"`
		Tags         map[string]string `json:"tags"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := logsValidateGroupName(in.LogGroupName); err != nil {
		return nil, err
	}
	if err := b.authorizeGroup(c, "logs:CreateLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.group[in.LogGroupName]; ok {
		return nil, logsErr("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	b.group[in.LogGroupName] = b.newGroup(in.LogGroupName, in.KmsKeyID, in.Tags)
	return nil, nil
}

// newGroup builds an empty group; b.mu must be held.
func (b *logsBackend) newGroup(name, kms string, tags map[string]string) *logGroup {
	g := &logGroup{Name: name, Created: b.env.Now().UnixMilli(), KMSKeyID: kms, Tags: map[string]string{}, Streams: map[string]*logStream{}}
	for k, v := range tags {
		g.Tags[k] = v
	}
	return g
}

func (b *logsBackend) deleteLogGroup(c *Call) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorizeGroup(c, "logs:DeleteLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.group[in.LogGroupName]; !ok {
		return nil, logsGroupNotFound()
	}
	delete(b.group, in.LogGroupName)
	return nil, nil
}

type logGroupOut struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	StoredBytes       int64  `json:"storedBytes"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass"`
}

func (b *logsBackend) describeLogGroups(c *Call) (any, error) {
	var in struct {
		LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
		LogGroupNamePattern string `json:"logGroupNamePattern"`
		Limit               int    `json:"limit"`
		NextToken           string `json:"nextToken"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, logsErr("InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.Limit == 0 {
		in.Limit = 50
	}
	if in.Limit < 1 || in.Limit > 50 {
		return nil, logsErr("InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", in.Limit))
	}
	if err := b.authz.Authorize(c.Caller, "logs:DescribeLogGroups", "arn:aws:logs:"+b.env.Region+":"+b.env.AccountID+":log-group:*", nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var out struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}
	out.LogGroups = []logGroupOut{}
	for _, name := range policySortedKeys(b.group) {
		if !strings.HasPrefix(name, in.LogGroupNamePrefix) || !strings.Contains(name, in.LogGroupNamePattern) {
			continue
		}
		if in.NextToken != "" && name <= in.NextToken {
			continue
		}
		if len(out.LogGroups) == in.Limit {
			out.NextToken = out.LogGroups[len(out.LogGroups)-1].LogGroupName
			break
		}
		g := b.group[name]
		var stored int64
		for _, s := range g.Streams {
			for _, e := range s.Events {
				stored += int64(len(e.Message))
			}
		}
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: name, CreationTime: g.Created, RetentionInDays: g.Retention,
			Arn: b.groupARN(name) + ":*", LogGroupArn: b.groupARN(name), StoredBytes: stored,
			KmsKeyID: g.KMSKeyID, LogGroupClass: "STANDARD",
		})
	}
	return out, nil
}

func (b *logsBackend) putRetentionPolicy(c *Call) (any, error) {
	var in struct {
		LogGroupName    string `json:"logGroupName"`
		RetentionInDays int    `json:"retentionInDays"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	valid := false
	for _, d := range logsRetentionDays {
		valid = valid || d == in.RetentionInDays
	}
	if !valid {
		vals := make([]string, len(logsRetentionDays))
		for i, d := range logsRetentionDays {
			vals[i] = strconv.Itoa(d)
		}
		return nil, logsErr("InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", in.RetentionInDays, strings.Join(vals, ", ")))
	}
	return b.withGroup(c, "logs:PutRetentionPolicy", in.LogGroupName, func(g *logGroup) (any, error) {
		d := in.RetentionInDays
		g.Retention = &d
		return nil, nil
	})
}

func (b *logsBackend) deleteRetentionPolicy(c *Call) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	return b.withGroup(c, "logs:DeleteRetentionPolicy", in.LogGroupName, func(g *logGroup) (any, error) {
		g.Retention = nil
		return nil, nil
	})
}

// ---- tags ----

// groupFromARN resolves arn:aws:logs:R:A:log-group:NAME[:*]; b.mu must be held.
func (b *logsBackend) groupFromARN(arn string) (*logGroup, error) {
	prefix := "arn:aws:logs:" + b.env.Region + ":" + b.env.AccountID + ":log-group:"
	if !strings.HasPrefix(arn, prefix) {
		return nil, logsErr("InvalidParameterException", "Invalid ARN: "+arn)
	}
	name := strings.TrimSuffix(arn[len(prefix):], ":*")
	g, ok := b.group[name]
	if !ok {
		return nil, logsGroupNotFound()
	}
	return g, nil
}

func (b *logsBackend) tagResource(c *Call) (any, error) {
	var in struct {
		ResourceArn string            `json:"resourceArn"`
		Tags        map[string]string `json:"tags"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authz.Authorize(c.Caller, "logs:TagResource", strings.TrimSuffix(in.ResourceArn, ":*"), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, err := b.groupFromARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, logsMergeTags(g, in.Tags)
}

func logsMergeTags(g *logGroup, tags map[string]string) error {
	n := len(g.Tags)
	for k := range tags {
		if _, ok := g.Tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return logsErr("InvalidParameterException", "A resource can have no more than 50 tags.")
	}
	for k, v := range tags {
		g.Tags[k] = v
	}
	return nil
}

func (b *logsBackend) untagResource(c *Call) (any, error) {
	var in struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authz.Authorize(c.Caller, "logs:UntagResource", strings.TrimSuffix(in.ResourceArn, ":*"), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, err := b.groupFromARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(g.Tags, k)
	}
	return nil, nil
}

func (b *logsBackend) listTagsForResource(c *Call) (any, error) {
	var in struct {
		ResourceArn string `json:"resourceArn"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authz.Authorize(c.Caller, "logs:ListTagsForResource", strings.TrimSuffix(in.ResourceArn, ":*"), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, err := b.groupFromARN(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return logsTagsResult(g.Tags), nil
}

// logsTagsResult is a tag-listing answer: AWS's model gives the tags map a
// minimum of one entry, so an untagged group answers without it.
func logsTagsResult(tags map[string]string) map[string]any {
	if len(tags) == 0 {
		return map[string]any{}
	}
	return map[string]any{"tags": logsCopyTags(tags)}
}

func logsCopyTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

func (b *logsBackend) tagLogGroup(c *Call) (any, error) {
	var in struct {
		LogGroupName string            `json:"logGroupName"`
		Tags         map[string]string `json:"tags"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	return b.withGroup(c, "logs:TagLogGroup", in.LogGroupName, func(g *logGroup) (any, error) {
		return nil, logsMergeTags(g, in.Tags)
	})
}

func (b *logsBackend) listTagsLogGroup(c *Call) (any, error) {
	var in struct {
		LogGroupName string `json:"logGroupName"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	return b.withGroup(c, "logs:ListTagsLogGroup", in.LogGroupName, func(g *logGroup) (any, error) {
		return logsTagsResult(g.Tags), nil
	})
}

// ---- streams and events ----

func (b *logsBackend) streamARN(group, stream string) string {
	return b.groupARN(group) + ":log-stream:" + stream
}

func (b *logsBackend) createLogStream(c *Call) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if in.LogStreamName == "" || len(in.LogStreamName) > 512 || strings.ContainsAny(in.LogStreamName, ":*") {
		return nil, logsErr("InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", in.LogStreamName))
	}
	if err := b.authz.Authorize(c.Caller, "logs:CreateLogStream", b.streamARN(in.LogGroupName, in.LogStreamName), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[in.LogGroupName]
	if !ok {
		return nil, logsGroupNotFound()
	}
	if _, ok := g.Streams[in.LogStreamName]; ok {
		return nil, logsErr("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	g.Streams[in.LogStreamName] = &logStream{Name: in.LogStreamName, Created: b.env.Now().UnixMilli()}
	return nil, nil
}

func (b *logsBackend) describeLogStreams(c *Call) (any, error) {
	var in struct {
		LogGroupName        string `json:"logGroupName"`
		LogStreamNamePrefix string `json:"logStreamNamePrefix"`
		OrderBy             string `json:"orderBy"`
		Descending          bool   `json:"descending"`
		Limit               int    `json:"limit"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorizeGroup(c, "logs:DescribeLogStreams", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.Limit == 0 {
		in.Limit = 50
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[in.LogGroupName]
	if !ok {
		return nil, logsGroupNotFound()
	}
	type streamOut struct {
		LogStreamName       string `json:"logStreamName"`
		CreationTime        int64  `json:"creationTime"`
		FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
		LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
		LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
		Arn                 string `json:"arn"`
		StoredBytes         int64  `json:"storedBytes"`
	}
	var list []streamOut
	for _, s := range g.Streams {
		if !strings.HasPrefix(s.Name, in.LogStreamNamePrefix) {
			continue
		}
		o := streamOut{LogStreamName: s.Name, CreationTime: s.Created, Arn: b.streamARN(g.Name, s.Name)}
		if n := len(s.Events); n > 0 {
			o.FirstEventTimestamp, o.LastEventTimestamp, o.LastIngestionTime = s.Events[0].Timestamp, s.Events[n-1].Timestamp, s.Events[n-1].IngestionTime
		}
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool {
		less := list[i].LogStreamName < list[j].LogStreamName
		if in.OrderBy == "LastEventTime" {
			less = list[i].LastEventTimestamp < list[j].LastEventTimestamp
		}
		if in.Descending {
			return !less
		}
		return less
	})
	if len(list) > in.Limit {
		list = list[:in.Limit]
	}
	if list == nil {
		list = []streamOut{}
	}
	return map[string]any{"logStreams": list}, nil
}

func (b *logsBackend) putLogEvents(c *Call) (any, error) {
	var in struct {
		LogGroupName  string     `json:"logGroupName"`
		LogStreamName string     `json:"logStreamName"`
		LogEvents     []logEvent `json:"logEvents"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if len(in.LogEvents) == 0 {
		return nil, logsErr("InvalidParameterException", "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if err := b.authz.Authorize(c.Caller, "logs:PutLogEvents", b.streamARN(in.LogGroupName, in.LogStreamName), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[in.LogGroupName]
	if !ok {
		return nil, logsGroupNotFound()
	}
	s, ok := g.Streams[in.LogStreamName]
	if !ok {
		return nil, logsErr("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	now := b.env.Now().UnixMilli()
	for _, e := range in.LogEvents {
		s.Events = append(s.Events, logEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: now})
	}
	sort.SliceStable(s.Events, func(i, j int) bool { return s.Events[i].Timestamp < s.Events[j].Timestamp })
	return map[string]any{"nextSequenceToken": strconv.Itoa(len(s.Events))}, nil
}

// visible reports whether an event is within the group's retention.
func (b *logsBackend) visible(g *logGroup, e logEvent) bool {
	if g.Retention == nil {
		return true
	}
	return e.Timestamp >= b.env.Now().Add(-time.Duration(*g.Retention)*24*time.Hour).UnixMilli()
}

func (b *logsBackend) getLogEvents(c *Call) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
		StartTime     *int64 `json:"startTime"`
		EndTime       *int64 `json:"endTime"`
		NextToken     string `json:"nextToken"`
		Limit         int    `json:"limit"`
		StartFromHead bool   `json:"startFromHead"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if in.Limit == 0 {
		in.Limit = logsMaxEventsPerCall
	}
	if in.Limit < 1 || in.Limit > logsMaxEventsPerCall {
		return nil, logsErr("InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
	}
	if err := b.authz.Authorize(c.Caller, "logs:GetLogEvents", b.streamARN(in.LogGroupName, in.LogStreamName), nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[in.LogGroupName]
	if !ok {
		return nil, logsGroupNotFound()
	}
	s, ok := g.Streams[in.LogStreamName]
	if !ok {
		return nil, logsErr("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	var evs []logEvent
	for _, e := range s.Events {
		if (in.StartTime == nil || e.Timestamp >= *in.StartTime) && (in.EndTime == nil || e.Timestamp < *in.EndTime) && b.visible(g, e) {
			evs = append(evs, e)
		}
	}
	// Tokens are "f/<index>" (read forward from index) and "b/<index>"
	// (read backward, ending before index) over the filtered events.
	lo, hi := 0, len(evs)
	switch {
	case strings.HasPrefix(in.NextToken, "f/"):
		n, err := strconv.Atoi(in.NextToken[2:])
		if err != nil || n < 0 || n > len(evs) {
			return nil, logsErr("InvalidParameterException", "The specified nextToken is invalid.")
		}
		lo, hi = n, min(n+in.Limit, len(evs))
	case strings.HasPrefix(in.NextToken, "b/"):
		n, err := strconv.Atoi(in.NextToken[2:])
		if err != nil || n < 0 || n > len(evs) {
			return nil, logsErr("InvalidParameterException", "The specified nextToken is invalid.")
		}
		lo, hi = max(0, n-in.Limit), n
	case in.NextToken != "":
		return nil, logsErr("InvalidParameterException", "The specified nextToken is invalid.")
	case in.StartFromHead:
		hi = min(in.Limit, len(evs))
	default:
		lo = max(0, len(evs)-in.Limit)
	}
	out := append([]logEvent{}, evs[lo:hi]...)
	return map[string]any{
		"events":            out,
		"nextForwardToken":  "f/" + strconv.Itoa(hi),
		"nextBackwardToken": "b/" + strconv.Itoa(lo),
	}, nil
}

// logsFilter is a parsed filter pattern: all of Must, none of Not, and at
// least one of Any (when set). Terms are plain substrings; "quoted phrases"
// keep their spaces.
type logsFilter struct{ Must, Not, Any []string }

func parseLogsFilter(p string) (logsFilter, error) {
	var f logsFilter
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return f, logsErr("InvalidParameterException", "Invalid filter pattern: JSON and space-delimited filter patterns are not supported by the emulator; use terms")
	}
	for p != "" {
		var term string
		prefix := byte(0)
		if p[0] == '-' || p[0] == '?' {
			prefix, p = p[0], p[1:]
		}
		if strings.HasPrefix(p, `"`) {
			end := strings.Index(p[1:], `"`)
			if end < 0 {
				return f, logsErr("InvalidParameterException", "Invalid filter pattern")
			}
			term, p = p[1:1+end], p[2+end:]
		} else {
			i := strings.IndexAny(p, " \t")
			if i < 0 {
				i = len(p)
			}
			term, p = p[:i], p[i:]
		}
		p = strings.TrimSpace(p)
		if term == "" {
			continue
		}
		switch prefix {
		case '-':
			f.Not = append(f.Not, term)
		case '?':
			f.Any = append(f.Any, term)
		default:
			f.Must = append(f.Must, term)
		}
	}
	return f, nil
}

func (f logsFilter) match(msg string) bool {
	for _, t := range f.Must {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range f.Not {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(f.Any) == 0 {
		return true
	}
	for _, t := range f.Any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

func (b *logsBackend) filterLogEvents(c *Call) (any, error) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupIdentifier  string   `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           *int64   `json:"startTime"`
		EndTime             *int64   `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               int      `json:"limit"`
	}
	if err := b.decode(c, &in); err != nil {
		return nil, err
	}
	if in.LogGroupName == "" && in.LogGroupIdentifier != "" {
		in.LogGroupName = in.LogGroupIdentifier
		if strings.HasPrefix(in.LogGroupName, "arn:") {
			in.LogGroupName = strings.TrimSuffix(in.LogGroupName[strings.Index(in.LogGroupName, ":log-group:")+len(":log-group:"):], ":*")
		}
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, logsErr("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if in.Limit == 0 {
		in.Limit = logsMaxEventsPerCall
	}
	if in.Limit < 1 || in.Limit > logsMaxEventsPerCall {
		return nil, logsErr("InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
	}
	f, err := parseLogsFilter(in.FilterPattern)
	if err != nil {
		return nil, err
	}
	return b.withGroup(c, "logs:FilterLogEvents", in.LogGroupName, func(g *logGroup) (any, error) {
		want := map[string]bool{}
		for _, n := range in.LogStreamNames {
			want[n] = true
		}
		var evs []filteredEvent
		searched := []map[string]any{}
		for _, name := range policySortedKeys(g.Streams) {
			if len(want) > 0 && !want[name] || !strings.HasPrefix(name, in.LogStreamNamePrefix) {
				continue
			}
			searched = append(searched, map[string]any{"logStreamName": name, "searchedCompletely": true})
			for i, e := range g.Streams[name].Events {
				if (in.StartTime == nil || e.Timestamp >= *in.StartTime) && (in.EndTime == nil || e.Timestamp <= *in.EndTime) && b.visible(g, e) && f.match(e.Message) {
					evs = append(evs, filteredEvent{LogStreamName: name, Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.IngestionTime, EventID: fmt.Sprintf("%020d%s%06d", e.Timestamp, logsShortHash(name), i)})
				}
			}
		}
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].Timestamp < evs[j].Timestamp })
		start := 0
		if in.NextToken != "" {
			n, err := strconv.Atoi(in.NextToken)
			if err != nil || n < 0 || n > len(evs) {
				return nil, logsErr("InvalidParameterException", "The specified nextToken is invalid.")
			}
			start = n
		}
		end := min(start+in.Limit, len(evs))
		out := map[string]any{"events": append([]filteredEvent{}, evs[start:end]...), "searchedLogStreams": searched}
		if end < len(evs) {
			out["nextToken"] = strconv.Itoa(end)
		}
		return out, nil
	})
}

// logsShortHash is a small stable hash for event IDs.
func logsShortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return fmt.Sprintf("%010d", h)
}

// appendEvents appends events to group/stream, creating the group (when
// createGroup) and the stream when missing. It is Lambda's log writer.
func (b *logsBackend) appendEvents(group, stream string, events []logEvent, createGroup bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[group]
	if !ok {
		if !createGroup {
			return logsGroupNotFound()
		}
		g = b.newGroup(group, "", nil)
		b.group[group] = g
	}
	s, ok := g.Streams[stream]
	if !ok {
		s = &logStream{Name: stream, Created: b.env.Now().UnixMilli()}
		g.Streams[stream] = s
	}
	now := b.env.Now().UnixMilli()
	for _, e := range events {
		if e.IngestionTime == 0 {
			e.IngestionTime = now
		}
		s.Events = append(s.Events, e)
	}
	return nil
}

func (b *logsBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(b.group)
}

func (b *logsBackend) restore(data []byte) error {
	groups := map[string]*logGroup{}
	if err := json.Unmarshal(data, &groups); err != nil {
		return fmt.Errorf("logs snapshot: %w", err)
	}
	for _, g := range groups {
		if g.Tags == nil {
			g.Tags = map[string]string{}
		}
		if g.Streams == nil {
			g.Streams = map[string]*logStream{}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.group = groups
	return nil
}

// withGroup authorises action on the log group named name and runs f on it
// with the backend locked; a missing group is ResourceNotFoundException.
func (b *logsBackend) withGroup(c *Call, action, name string, f func(g *logGroup) (any, error)) (any, error) {
	if err := b.authorizeGroup(c, action, name); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.group[name]
	if !ok {
		return nil, logsGroupNotFound()
	}
	return f(g)
}
