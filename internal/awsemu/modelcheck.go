package awsemu

// modelcheck.go is an independent oracle for the emulator: AWS's own
// published API models (models/apis/<service>/<version>/api-2.json, shipped
// as data in the github.com/aws/aws-sdk-go v1 module, read from the module
// cache) checked against every exchange. A request the emulator accepted
// must satisfy the operation's input shape (required members, types,
// enums, lengths, ranges, patterns); a response must satisfy the output
// shape (and carry no member the model does not know); an error code must
// be one the operation declares, or one of AWS's common errors, with the
// declared HTTP status. Tests turn it on through Options.Validator.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// modelModule is the Go module that ships AWS's API models.
const modelModule = "github.com/aws/aws-sdk-go"

// modelDirs maps a signing name to its model directory.
var modelDirs = map[string]string{
	"secretsmanager": "secretsmanager/2017-10-17",
	"kms":            "kms/2014-11-01",
	"logs":           "logs/2014-03-28",
	"lambda":         "lambda/2015-03-31",
	"iam":            "iam/2010-05-08",
	"sts":            "sts/2011-06-15",
	"events":         "events/2015-10-07",
	"sns":            "sns/2010-03-31",
}

// commonErrors are the errors every operation may answer besides its
// declared ones: AWS's "Common Errors" (API reference of each service,
// e.g. https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html)
// plus the SigV4 and protocol-level errors.
var commonErrors = map[string]bool{
	"AccessDeniedException": true, "IncompleteSignature": true, "InternalFailure": true,
	"InvalidAction": true, "InvalidClientTokenId": true, "InvalidParameterCombination": true,
	"InvalidParameterValue": true, "InvalidQueryParameter": true, "MalformedQueryString": true,
	"MissingAction": true, "MissingAuthenticationToken": true, "MissingParameter": true,
	"NotAuthorized": true, "OptInRequired": true, "RequestExpired": true, "ServiceUnavailable": true,
	"ThrottlingException": true, "ValidationError": true, "ValidationException": true,
	"UnrecognizedClientException": true, "ExpiredTokenException": true, "ExpiredToken": true,
	"InvalidSignatureException": true, "SignatureDoesNotMatch": true, "SerializationException": true,
	"UnknownOperationException": true, "MissingAuthenticationTokenException": true,
	"AccessDenied": true, "Throttling": true, "RequestEntityTooLargeException": true,
}

type apiModel struct {
	Metadata struct {
		Protocol string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]*apiOperation `json:"operations"`
	Shapes     map[string]*apiShape     `json:"shapes"`
}

type apiOperation struct {
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *apiRef   `json:"input"`
	Output *apiRef   `json:"output"`
	Errors []*apiRef `json:"errors"`
}

type apiRef struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	ResultWrapper string `json:"resultWrapper"`
	Flattened     bool   `json:"flattened"`
}

type apiShape struct {
	Type      string             `json:"type"`
	Required  []string           `json:"required"`
	Members   map[string]*apiRef `json:"members"`
	Member    *apiRef            `json:"member"`
	Key       *apiRef            `json:"key"`
	Value     *apiRef            `json:"value"`
	Enum      []string           `json:"enum"`
	Min       *float64           `json:"min"`
	Max       *float64           `json:"max"`
	Pattern   string             `json:"pattern"`
	Payload   string             `json:"payload"`
	Flattened bool               `json:"flattened"`
	Exception bool               `json:"exception"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
	} `json:"error"`
	re      *regexp.Regexp
	reErr   error
	reOnce  sync.Once
	enumSet map[string]bool
}

// regexp compiles the shape's pattern (anchored: the whole value must
// match); Java-only syntax RE2 lacks is translated where possible, and a
// pattern that still does not compile is not checked.
func (s *apiShape) regexp() *regexp.Regexp {
	s.reOnce.Do(func() {
		p := regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`).ReplaceAllString(s.Pattern, `\x{$1}`)
		s.re, s.reErr = regexp.Compile(`^(?:` + p + `)$`)
	})
	return s.re
}

var (
	modelsOnce sync.Once
	models     map[string]*apiModel
	modelsErr  error
)

// loadModels reads the API models of the emulated services from the
// aws-sdk-go module (located with `go list -m`, downloaded if needed).
func loadModels() (map[string]*apiModel, error) {
	modelsOnce.Do(func() {
		dir, err := modelModuleDir()
		if err != nil {
			modelsErr = err
			return
		}
		models = map[string]*apiModel{}
		for svc, rel := range modelDirs {
			b, err := os.ReadFile(filepath.Join(dir, "models", "apis", rel, "api-2.json"))
			if err != nil {
				modelsErr = fmt.Errorf("awsemu: API model of %s: %w", svc, err)
				return
			}
			var m apiModel
			if err := json.Unmarshal(b, &m); err != nil {
				modelsErr = fmt.Errorf("awsemu: API model of %s: %w", svc, err)
				return
			}
			for _, s := range m.Shapes {
				if len(s.Enum) > 0 {
					s.enumSet = map[string]bool{}
					for _, e := range s.Enum {
						s.enumSet[e] = true
					}
				}
			}
			models[svc] = &m
		}
	})
	return models, modelsErr
}

func modelModuleDir() (string, error) {
	if d := os.Getenv("AWSEMU_MODEL_DIR"); d != "" {
		return d, nil
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", modelModule).Output()
	if dir := strings.TrimSpace(string(out)); err == nil && dir != "" {
		return dir, nil
	}
	out, err = exec.Command("go", "mod", "download", "-json", modelModule).Output()
	if err != nil {
		return "", fmt.Errorf("awsemu: locating %s (the AWS API models) in the module cache: %w", modelModule, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("awsemu: locating %s in the module cache: %s", modelModule, out)
	}
	return info.Dir, nil
}

// ModelCheck is a Validator that checks exchanges against AWS's API models
// and collects the violations.
type ModelCheck struct {
	models map[string]*apiModel

	mu         sync.Mutex
	checked    int
	violations []string
}

// NewModelCheck loads the models (once per process).
func NewModelCheck() (*ModelCheck, error) {
	m, err := loadModels()
	if err != nil {
		return nil, err
	}
	return &ModelCheck{models: m}, nil
}

// TB is the part of testing.TB that ModelCheckFor uses.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// ModelCheckFor returns a ModelCheck whose violations fail t when t ends.
func ModelCheckFor(t TB) *ModelCheck {
	t.Helper()
	mc, err := NewModelCheck()
	if err != nil {
		t.Fatalf("AWS API model check: %v", err)
		return nil
	}
	t.Cleanup(func() {
		for _, v := range mc.Violations() {
			t.Errorf("AWS API model violation: %s", v)
		}
	})
	return mc
}

// Checked returns how many exchanges were checked.
func (m *ModelCheck) Checked() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checked
}

// Violations returns the violations found so far.
func (m *ModelCheck) Violations() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.violations)
}

// Check implements Validator.
func (m *ModelCheck) Check(x *Exchange) {
	vs := m.check(x)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checked++
	for _, v := range vs {
		m.violations = append(m.violations, x.Service+":"+x.Operation+": "+v)
	}
}

func (m *ModelCheck) check(x *Exchange) []string {
	model := m.models[x.Service]
	if model == nil {
		return []string{"no API model for service " + x.Service}
	}
	op := model.Operations[x.Operation]
	if op == nil {
		return []string{"operation is not in the API model"}
	}
	v := &shapeValidator{model: model}
	if x.ErrorCode != "" || x.Status >= 300 {
		v.checkError(op, x)
		return v.out
	}
	if op.Input != nil {
		in, err := decodeInput(model, op, x)
		if err != nil {
			v.add("request: %v", err)
		} else {
			v.value("request", in, &apiRef{Shape: op.Input.Shape})
		}
	}
	if op.HTTP.ResponseCode != 0 && x.Status != op.HTTP.ResponseCode {
		v.add("response status %d, the model says %d", x.Status, op.HTTP.ResponseCode)
	}
	if op.Output != nil {
		out, err := decodeOutput(model, op, x)
		if err != nil {
			v.add("response: %v", err)
		} else {
			v.value("response", out, &apiRef{Shape: op.Output.Shape})
		}
	}
	return v.out
}

type shapeValidator struct {
	model *apiModel
	out   []string
}

func (v *shapeValidator) add(format string, args ...any) {
	v.out = append(v.out, fmt.Sprintf(format, args...))
}

func (v *shapeValidator) checkError(op *apiOperation, x *Exchange) {
	code := x.ErrorCode
	if code == "" {
		v.add("error response (HTTP %d) without an error code", x.Status)
		return
	}
	for _, e := range op.Errors {
		s := v.model.Shapes[e.Shape]
		want := e.Shape
		status := 0
		if s != nil && s.Error != nil {
			if s.Error.Code != "" {
				want = s.Error.Code
			}
			status = s.Error.HTTPStatusCode
		}
		if want == code {
			if status != 0 && status != x.Status {
				v.add("error %s with HTTP %d, the model says %d", code, x.Status, status)
			}
			return
		}
	}
	if commonErrors[code] {
		return
	}
	v.add("error code %s is not one the operation declares (%s) nor a common error", code, v.declared(op))
}

func (v *shapeValidator) declared(op *apiOperation) string {
	var names []string
	for _, e := range op.Errors {
		n := e.Shape
		if s := v.model.Shapes[e.Shape]; s != nil && s.Error != nil && s.Error.Code != "" {
			n = s.Error.Code
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// value checks val against the shape of ref.
func (v *shapeValidator) value(path string, val any, ref *apiRef) {
	s := v.model.Shapes[ref.Shape]
	if s == nil {
		v.add("%s: shape %s missing from the model", path, ref.Shape)
		return
	}
	if val == nil {
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := val.(map[string]any)
		if !ok {
			v.add("%s: want a structure (%s), got %T", path, ref.Shape, val)
			return
		}
		for _, r := range s.Required {
			if x, ok := obj[r]; !ok || x == nil {
				v.add("%s.%s: required member missing", path, r)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			mref, ok := s.Members[k]
			if !ok {
				v.add("%s.%s: member not in the model (%s)", path, k, ref.Shape)
				continue
			}
			v.value(path+"."+k, obj[k], mref)
		}
	case "list":
		arr, ok := val.([]any)
		if !ok {
			v.add("%s: want a list, got %T", path, val)
			return
		}
		v.length(path, s, len(arr))
		for i, e := range arr {
			v.value(fmt.Sprintf("%s[%d]", path, i), e, s.Member)
		}
	case "map":
		obj, ok := val.(map[string]any)
		if !ok {
			v.add("%s: want a map, got %T", path, val)
			return
		}
		v.length(path, s, len(obj))
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			v.value(path+"{key}", k, s.Key)
			v.value(path+"["+k+"]", obj[k], s.Value)
		}
	case "string":
		str, ok := val.(string)
		if !ok {
			v.add("%s: want a string, got %T", path, val)
			return
		}
		if len(s.Enum) > 0 {
			if !s.enumSet[str] {
				v.add("%s: %q is not one of %v", path, str, s.Enum)
			}
		}
		v.length(path, s, utf8.RuneCountInString(str))
		if s.Pattern != "" {
			if re := s.regexp(); re != nil && !re.MatchString(str) {
				v.add("%s: %q does not match the pattern %s", path, clip(str), s.Pattern)
			}
		}
	case "integer", "long", "double", "float":
		n, ok := val.(json.Number)
		if !ok {
			v.add("%s: want a number, got %T", path, val)
			return
		}
		f, err := n.Float64()
		if err != nil {
			v.add("%s: %q is not a number", path, n)
			return
		}
		if (s.Type == "integer" || s.Type == "long") && f != float64(int64(f)) {
			v.add("%s: %v is not an integer", path, n)
		}
		if s.Min != nil && f < *s.Min {
			v.add("%s: %v is less than the minimum %v", path, n, *s.Min)
		}
		if s.Max != nil && f > *s.Max {
			v.add("%s: %v is more than the maximum %v", path, n, *s.Max)
		}
	case "boolean":
		if _, ok := val.(bool); !ok {
			v.add("%s: want a boolean, got %T", path, val)
		}
	case "timestamp":
		switch t := val.(type) {
		case json.Number:
		case string:
			if _, err := time.Parse(time.RFC3339, t); err != nil {
				v.add("%s: timestamp %q is not ISO 8601", path, t)
			}
		default:
			v.add("%s: want a timestamp, got %T", path, val)
		}
	case "blob":
		switch b := val.(type) {
		case []byte:
			v.length(path, s, len(b))
		case string:
			raw, err := base64.StdEncoding.DecodeString(b)
			if err != nil {
				v.add("%s: blob is not base64", path)
				return
			}
			v.length(path, s, len(raw))
		default:
			v.add("%s: want a blob, got %T", path, val)
		}
	}
}

func (v *shapeValidator) length(path string, s *apiShape, n int) {
	if s.Min != nil && float64(n) < *s.Min {
		v.add("%s: length %d is less than the minimum %v", path, n, *s.Min)
	}
	if s.Max != nil && float64(n) > *s.Max {
		v.add("%s: length %d is more than the maximum %v", path, n, *s.Max)
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// decodeJSON decodes a JSON body keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeInput turns the request into a value of the input shape.
func decodeInput(m *apiModel, op *apiOperation, x *Exchange) (any, error) {
	s := m.Shapes[op.Input.Shape]
	switch m.Metadata.Protocol {
	case "json":
		return decodeJSON(x.RequestBody)
	case "query":
		return formValue(m, x.Form, "", &apiRef{Shape: op.Input.Shape}), nil
	case "rest-json":
		out := map[string]any{}
		labels := uriLabels(op.HTTP.RequestURI, x.Path)
		bodyMembers := false
		for name, ref := range s.Members {
			ms := m.Shapes[ref.Shape]
			loc := ref.LocationName
			if loc == "" {
				loc = name
			}
			switch ref.Location {
			case "uri":
				if val, ok := labels[loc]; ok {
					out[name] = scalarFromString(ms, val)
				}
			case "querystring":
				if vals, ok := x.Query[loc]; ok {
					if ms.Type == "list" {
						arr := []any{}
						for _, q := range vals {
							arr = append(arr, scalarFromString(m.Shapes[ms.Member.Shape], q))
						}
						out[name] = arr
					} else {
						out[name] = scalarFromString(ms, vals[0])
					}
				}
			case "header":
				if h := x.Header.Get(loc); h != "" {
					out[name] = scalarFromString(ms, h)
				}
			case "headers", "statusCode":
			default:
				if name == s.Payload {
					if len(x.RequestBody) > 0 {
						out[name] = x.RequestBody
					}
					continue
				}
				bodyMembers = true
			}
		}
		if bodyMembers {
			if err := mergeJSONBody(out, x.RequestBody); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("protocol %s not supported", m.Metadata.Protocol)
}

// uriLabels matches a model request URI ("/a/{B}/c/{D+}?x") against an
// escaped path.
func uriLabels(tmpl, path string) map[string]string {
	tmpl, _, _ = strings.Cut(tmpl, "?")
	ts := strings.Split(strings.Trim(tmpl, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	out := map[string]string{}
	for i, t := range ts {
		if !strings.HasPrefix(t, "{") || i >= len(ps) {
			continue
		}
		name := strings.Trim(t, "{}")
		if strings.HasSuffix(name, "+") {
			val, _ := urlPathUnescape(strings.Join(ps[i:], "/"))
			out[strings.TrimSuffix(name, "+")] = val
			break
		}
		val, _ := urlPathUnescape(ps[i])
		out[name] = val
	}
	return out
}

func urlPathUnescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return s, err
			}
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// scalarFromString converts a string from a URI, query string, header,
// form or XML text to the JSON-like value of shape s.
func scalarFromString(s *apiShape, str string) any {
	if s == nil {
		return str
	}
	switch s.Type {
	case "integer", "long", "double", "float":
		return json.Number(str)
	case "boolean":
		b, err := strconv.ParseBool(str)
		if err != nil {
			return str
		}
		return b
	case "timestamp":
		return str
	case "blob":
		return str
	}
	return str
}

// formValue decodes query-protocol parameters under prefix into a value
// of the shape of ref (nil when absent).
func formValue(m *apiModel, form map[string][]string, prefix string, ref *apiRef) any {
	s := m.Shapes[ref.Shape]
	if s == nil {
		return nil
	}
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		return a + "." + b
	}
	switch s.Type {
	case "structure":
		out := map[string]any{}
		for name, mref := range s.Members {
			loc := mref.LocationName
			if loc == "" {
				loc = name
			}
			if val := formValue(m, form, join(prefix, loc), mref); val != nil {
				out[name] = val
			}
		}
		if prefix != "" && len(out) == 0 {
			return nil
		}
		return out
	case "list":
		base := prefix + ".member"
		if s.Flattened || ref.Flattened {
			base = prefix
		}
		var out []any
		for i := 1; ; i++ {
			val := formValue(m, form, base+"."+strconv.Itoa(i), s.Member)
			if val == nil {
				break
			}
			out = append(out, val)
		}
		if out == nil {
			if _, ok := form[prefix]; ok { // an empty list is sent as "Name="
				return []any{}
			}
			return nil
		}
		return out
	case "map":
		out := map[string]any{}
		for i := 1; ; i++ {
			k := form[prefix+".entry."+strconv.Itoa(i)+".key"]
			if len(k) == 0 {
				break
			}
			out[k[0]] = formValue(m, form, prefix+".entry."+strconv.Itoa(i)+".value", s.Value)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	default:
		vals, ok := form[prefix]
		if !ok || len(vals) == 0 {
			return nil
		}
		return scalarFromString(s, vals[0])
	}
}

// decodeOutput turns the response into a value of the output shape.
func decodeOutput(m *apiModel, op *apiOperation, x *Exchange) (any, error) {
	s := m.Shapes[op.Output.Shape]
	switch m.Metadata.Protocol {
	case "json":
		return decodeJSON(x.ResponseBody)
	case "query":
		root, err := parseXML(x.ResponseBody)
		if err != nil {
			return nil, err
		}
		res := root
		if op.Output.ResultWrapper != "" {
			res = root.child(op.Output.ResultWrapper)
			if res == nil {
				return nil, fmt.Errorf("no <%s> element", op.Output.ResultWrapper)
			}
		}
		return xmlValue(m, res, &apiRef{Shape: op.Output.Shape}, true), nil
	case "rest-json":
		out := map[string]any{}
		bodyMembers := false
		for name, ref := range s.Members {
			ms := m.Shapes[ref.Shape]
			loc := ref.LocationName
			if loc == "" {
				loc = name
			}
			switch ref.Location {
			case "header":
				if h := x.ResponseHeader.Get(loc); h != "" {
					out[name] = scalarFromString(ms, h)
				}
			case "statusCode", "headers":
			default:
				if name == s.Payload {
					if ms.Type == "structure" {
						val, err := decodeJSON(x.ResponseBody)
						if err != nil {
							return nil, err
						}
						out[name] = val
					} else if len(x.ResponseBody) > 0 {
						out[name] = x.ResponseBody
					}
					continue
				}
				bodyMembers = true
			}
		}
		if bodyMembers {
			if err := mergeJSONBody(out, x.ResponseBody); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("protocol %s not supported", m.Metadata.Protocol)
}

// mergeJSONBody adds the members of a rest-json body (a JSON object) to out,
// next to those bound to the URI, query string and headers.
func mergeJSONBody(out map[string]any, raw []byte) error {
	body, err := decodeJSON(raw)
	if err != nil {
		return err
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return errors.New("body is not a JSON object")
	}
	for k, val := range obj {
		out[k] = val
	}
	return nil
}

// xmlNode is a parsed XML element.
type xmlNode struct {
	name     string
	text     string
	children []*xmlNode
}

func (n *xmlNode) child(name string) *xmlNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func parseXML(b []byte) (*xmlNode, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("empty XML document")
	}
	return root, nil
}

// xmlValue converts an element to a value of the shape of ref; unknown
// child elements are kept (under their element name) so that the shape
// check reports them.
func xmlValue(m *apiModel, n *xmlNode, ref *apiRef, top bool) any {
	s := m.Shapes[ref.Shape]
	if s == nil || n == nil {
		return nil
	}
	switch s.Type {
	case "structure":
		out := map[string]any{}
		byLoc := map[string]string{}
		for name, mref := range s.Members {
			loc := mref.LocationName
			if loc == "" {
				loc = name
			}
			byLoc[loc] = name
		}
		for _, c := range n.children {
			if top && c.name == "ResponseMetadata" {
				continue
			}
			name, ok := byLoc[c.name]
			if !ok {
				out[c.name] = c.text
				continue
			}
			out[name] = xmlValue(m, c, s.Members[name], false)
		}
		return out
	case "list":
		out := []any{}
		for _, c := range n.children {
			out = append(out, xmlValue(m, c, s.Member, false))
		}
		return out
	case "map":
		out := map[string]any{}
		for _, e := range n.children {
			k, val := e.child("key"), e.child("value")
			if k != nil {
				out[k.text] = xmlValue(m, val, s.Value, false)
			}
		}
		return out
	}
	return scalarFromString(s, n.text)
}
