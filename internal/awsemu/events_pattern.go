package awsemu

// events_pattern.go parses and matches EventBridge event patterns
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html):
// nested objects down to arrays of matchers; a value matches when any
// matcher matches (for an array field: any element); every key of the
// pattern must match. Matchers: literal strings, numbers, booleans and
// null; prefix, suffix, equals-ignore-case, anything-but, exists, numeric,
// wildcard; and "$or". Unsupported matchers (cidr) are refused rather than
// ignored.

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// eventsPatternMaxLen is PutRule's limit on EventPattern.
const eventsPatternMaxLen = 4096

func eventsInvalidPattern(reason string) *APIError {
	return &APIError{Code: "InvalidEventPatternException", Message: "Event pattern is not valid. Reason: " + reason, HTTPStatus: 400}
}

// parseEventPattern decodes and validates a pattern.
func parseEventPattern(s string) (map[string]any, error) {
	if len(s) > eventsPatternMaxLen {
		return nil, &APIError{Code: "ValidationException", Message: "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096", HTTPStatus: 400}
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, eventsInvalidPattern("Filter is not an object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, eventsInvalidPattern("Filter is not an object")
	}
	if err := validatePatternObject(obj); err != nil {
		return nil, err
	}
	return obj, nil
}

func validatePatternObject(obj map[string]any) error {
	if len(obj) == 0 {
		return eventsInvalidPattern("Empty objects are not allowed")
	}
	for k, v := range obj {
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return eventsInvalidPattern("\"$or\" must be an array of at least two objects")
			}
			for _, a := range alts {
				o, ok := a.(map[string]any)
				if !ok {
					return eventsInvalidPattern("\"$or\" must be an array of objects")
				}
				if err := validatePatternObject(o); err != nil {
					return err
				}
			}
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if err := validatePatternObject(x); err != nil {
				return err
			}
		case []any:
			if len(x) == 0 {
				return eventsInvalidPattern("Empty arrays are not allowed")
			}
			for _, m := range x {
				if err := validateMatcher(m); err != nil {
					return err
				}
			}
		default:
			return eventsInvalidPattern(fmt.Sprintf("%q must be an object or an array", k))
		}
	}
	return nil
}

func validateMatcher(m any) error {
	obj, ok := m.(map[string]any)
	if !ok {
		if _, isArr := m.([]any); isArr {
			return eventsInvalidPattern("Match value must be String, number, true, false, or null")
		}
		return nil // literal
	}
	if len(obj) != 1 {
		return eventsInvalidPattern("Match objects must have exactly one field")
	}
	for op, arg := range obj {
		switch op {
		case "prefix", "suffix":
			if _, ok := arg.(string); ok {
				return nil
			}
			if o, ok := arg.(map[string]any); ok {
				if _, ok := o["equals-ignore-case"].(string); ok && len(o) == 1 {
					return nil
				}
			}
			return eventsInvalidPattern(op + " match pattern must be a string")
		case "equals-ignore-case", "wildcard":
			if _, ok := arg.(string); !ok {
				return eventsInvalidPattern(op + " match pattern must be a string")
			}
		case "exists":
			if _, ok := arg.(bool); !ok {
				return eventsInvalidPattern("exists match pattern must be either true or false.")
			}
		case "anything-but":
			switch a := arg.(type) {
			case string, json.Number:
			case []any:
				if len(a) == 0 {
					return eventsInvalidPattern("Empty arrays are not allowed")
				}
			case map[string]any:
				if len(a) != 1 {
					return eventsInvalidPattern("Inside anything but list, start|null|boolean is not supported.")
				}
				for k, v := range a {
					if _, ok := v.(string); !ok || (k != "prefix" && k != "suffix" && k != "equals-ignore-case" && k != "wildcard") {
						return eventsInvalidPattern("Unsupported anything-but pattern: " + k)
					}
				}
			default:
				return eventsInvalidPattern("Inside anything but list, start|null|boolean is not supported.")
			}
		case "numeric":
			a, ok := arg.([]any)
			if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
				return eventsInvalidPattern("Value of numeric must be an array.")
			}
			for i := 0; i < len(a); i += 2 {
				o, _ := a[i].(string)
				if _, ok := a[i+1].(json.Number); !ok || !slices.Contains([]string{"<", "<=", "=", ">", ">="}, o) {
					return eventsInvalidPattern("Unrecognized numeric range operator: " + fmt.Sprint(a[i]))
				}
			}
		default:
			return eventsInvalidPattern("Unrecognized match type " + op)
		}
	}
	return nil
}

// matchEventPattern reports whether event (decoded with UseNumber)
// matches the pattern.
func matchEventPattern(pattern map[string]any, event map[string]any) bool {
	for k, pv := range pattern {
		if k == "$or" {
			matched := false
			alts, _ := pv.([]any)
			for _, alt := range alts {
				if a, ok := alt.(map[string]any); ok && matchEventPattern(a, event) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
			continue
		}
		ev, present := event[k]
		switch p := pv.(type) {
		case map[string]any:
			sub, ok := ev.(map[string]any)
			if !ok {
				return false
			}
			if !matchEventPattern(p, sub) {
				return false
			}
		case []any:
			if !matchField(p, ev, present) {
				return false
			}
		}
	}
	return true
}

// matchField matches one leaf: any matcher against the value (or, for an
// array value, against any element).
func matchField(matchers []any, v any, present bool) bool {
	for _, m := range matchers {
		if o, ok := m.(map[string]any); ok {
			if e, ok := o["exists"].(bool); ok {
				if e == (present && !isObject(v)) {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		if arr, ok := v.([]any); ok {
			for _, el := range arr {
				if matchOne(m, el) {
					return true
				}
			}
			continue
		}
		if matchOne(m, v) {
			return true
		}
	}
	return false
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }

// matchOne matches one matcher against one scalar value.
func matchOne(m, v any) bool {
	o, ok := m.(map[string]any)
	if !ok {
		return literalEqual(m, v)
	}
	s, isStr := v.(string)
	for op, arg := range o {
		switch op {
		case "prefix", "suffix":
			if !isStr {
				return false
			}
			want, _ := arg.(string)
			fold := false
			if x, ok := arg.(map[string]any); ok {
				want, _ = x["equals-ignore-case"].(string)
				fold = true
			}
			if fold {
				s, want = strings.ToLower(s), strings.ToLower(want)
			}
			if op == "prefix" {
				return strings.HasPrefix(s, want)
			}
			return strings.HasSuffix(s, want)
		case "equals-ignore-case":
			want, _ := arg.(string)
			return isStr && strings.EqualFold(s, want)
		case "wildcard":
			want, _ := arg.(string)
			return isStr && policyGlob(want, s, false)
		case "anything-but":
			switch a := arg.(type) {
			case []any:
				for _, x := range a {
					if literalEqual(x, v) {
						return false
					}
				}
				return true
			case map[string]any:
				for k, x := range a {
					return !isStr || !matchOne(map[string]any{k: x}, v)
				}
			default:
				return !literalEqual(a, v)
			}
		case "numeric":
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			f, err := n.Float64()
			if err != nil {
				return false
			}
			a, _ := arg.([]any)
			for i := 0; i+1 < len(a); i += 2 {
				op, _ := a[i].(string)
				num, _ := a[i+1].(json.Number)
				bound, err := num.Float64()
				if err != nil || !numericHolds(op, f, bound) {
					return false
				}
			}
			return true
		}
	}
	return false
}

func numericHolds(op string, v, bound float64) bool {
	switch op {
	case "<":
		return v < bound
	case "<=":
		return v <= bound
	case "=":
		return math.Abs(v-bound) < 1e-9
	case ">":
		return v > bound
	case ">=":
		return v >= bound
	}
	return false
}

// literalEqual compares a pattern literal with an event value: strings
// exactly, numbers numerically, booleans and null by identity.
func literalEqual(p, v any) bool {
	switch x := p.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == x
	case bool:
		b, ok := v.(bool)
		return ok && b == x
	case json.Number:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		a, e1 := x.Float64()
		b, e2 := n.Float64()
		return e1 == nil && e2 == nil && a == b
	}
	return false
}
