package strategy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
)

var _ Strategy = (*generic)(nil)

// Reader is optionally implemented by a Strategy whose Set or Test does
// not need every stored value. The handler then skips the Secrets Manager
// reads that are not needed. Stages lists the staging labels ("AWSPENDING",
// "AWSCURRENT", "AWSPREVIOUS") the strategy reads in step ("setSecret" or
// "testSecret"); Step fields for stages it does not list are left empty.
// A Strategy without this method is given all three.
type Reader interface {
	Stages(step string) []string
}

// generic regenerates one field of a JSON-object secret, or the whole
// value of any other secret. It has no target: Set does nothing and Test
// checks the shape and the password policy of the pending value.
type generic struct {
	field  string
	policy config.PasswordPolicy
}

var _ Reader = (*generic)(nil)

// NewGeneric returns the generic strategy. rotatedField is the JSON key
// that is regenerated when the secret is a JSON object; every other key is
// kept with its JSON type and value. A secret that is not a JSON object is
// replaced by the password as a whole. Test checks the pending password
// against policy.
func NewGeneric(rotatedField string, policy config.PasswordPolicy) Strategy {
	if rotatedField == "" {
		rotatedField = config.DefaultRotatedField
	}
	return &generic{field: rotatedField, policy: policy}
}

// Stages implements Reader: Set reads nothing, Test compares the pending
// value with the current one.
func (g *generic) Stages(step string) []string {
	if step == "testSecret" {
		return []string{"AWSPENDING", "AWSCURRENT"}
	}
	return nil
}

// NewPending implements Strategy.
func (g *generic) NewPending(_ context.Context, current, newPassword string) (string, error) {
	obj, ok := jsonObject(current)
	if !ok {
		return newPassword, nil
	}
	pw, err := json.Marshal(newPassword)
	if err != nil {
		return "", errors.New("encoding the new password as JSON failed")
	}
	obj[g.field] = pw
	out, err := marshalObject(obj)
	if err != nil {
		return "", err
	}
	return out, nil
}

// Set implements Strategy: a generic secret has no target to update.
func (g *generic) Set(context.Context, Step) error { return nil }

// Test implements Strategy. The pending value must be of the same kind as
// the current one (a JSON object with the same keys, each of the same JSON
// type except the rotated field, which must be a string; or a plain value)
// and its password must meet the policy. When Pending equals Current (the
// configuration check of RotateImmediately=false, where no new value
// exists) there is nothing new to check: the function could read the
// secret, and a current value from before a policy change or without the
// rotated key (NewPending adds it) does not fail the check.
func (g *generic) Test(_ context.Context, s Step) error {
	if s.Pending == s.Current {
		return nil // the configuration check: nothing new to test
	}
	cur, curIsObj := jsonObject(s.Current)
	pend, pendIsObj := jsonObject(s.Pending)
	if curIsObj != pendIsObj {
		if curIsObj {
			return errors.New("the pending value is not a JSON object but the current value is")
		}
		return errors.New("the pending value is a JSON object but the current value is not")
	}
	pw := s.Pending
	if curIsObj {
		var problems []error
		for k, cv := range cur {
			if k == g.field {
				continue
			}
			pv, ok := pend[k]
			if !ok {
				problems = append(problems, fmt.Errorf("the pending value lacks key %q", k))
				continue
			}
			if kindOf(pv) != kindOf(cv) {
				problems = append(problems, fmt.Errorf("key %q is a JSON %s in the pending value but a JSON %s in the current value", k, kindOf(pv), kindOf(cv)))
			}
		}
		for k := range pend {
			if _, ok := cur[k]; !ok && k != g.field {
				problems = append(problems, fmt.Errorf("the pending value has extra key %q", k))
			}
		}
		raw, ok := pend[g.field]
		if !ok {
			problems = append(problems, fmt.Errorf("the pending value lacks the rotated key %q", g.field))
		} else if err := json.Unmarshal(raw, &pw); err != nil {
			problems = append(problems, fmt.Errorf("the rotated key %q is a JSON %s, not a string", g.field, kindOf(raw)))
		}
		if err := errors.Join(problems...); err != nil {
			return err
		}
	}
	if err := password.Check(g.policy, pw); err != nil {
		return fmt.Errorf("the pending password does not meet the policy: %w", err)
	}
	return nil
}

// jsonObject parses s as a JSON object, keeping each member's raw JSON.
func jsonObject(s string) (map[string]json.RawMessage, bool) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 || b[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// marshalObject renders m with sorted keys and each member's raw JSON
// unchanged, without HTML escaping.
func marshalObject(m map[string]json.RawMessage) (string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return "", errors.New("encoding a JSON key failed")
		}
		buf.Write(kb)
		buf.WriteByte(':')
		var compact bytes.Buffer
		if err := json.Compact(&compact, m[k]); err != nil {
			return "", errors.New("the current value holds invalid JSON")
		}
		buf.Write(compact.Bytes())
	}
	buf.WriteByte('}')
	return buf.String(), nil
}

// kindOf names the JSON type of a raw member.
func kindOf(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
