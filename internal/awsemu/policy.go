package awsemu

// policy.go parses IAM policy documents and evaluates them: identity
// policies (a role's inline and attached policies), trust policies (who may
// assume a role) and Lambda resource policies share this evaluator.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// policyDocument is a parsed IAM policy document.
type policyDocument struct {
	Version   string
	Statement []policyStatement
}

// policyStatement is one statement of a policy document.
type policyStatement struct {
	Sid          string
	Effect       string
	Principal    map[string][]string // "*" is stored as {"*": ["*"]}
	HasPrincipal bool
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	HasResource  bool
	Condition    map[string]map[string][]string // operator -> key -> values
}

// policyKind says which elements a policy document must or must not have.
type policyKind int

const (
	policyIdentity policyKind = iota // inline/managed: no Principal, Resource required
	policyTrust                      // trust policy: Principal required, no Resource
	policyResource                   // resource policy (Lambda): Principal required
)

// errMalformedPolicy is returned by parsePolicy; the message is AWS's.
func errMalformedPolicy(msg string) *APIError {
	return &APIError{Code: "MalformedPolicyDocument", Message: msg, HTTPStatus: 400}
}

// policyStringOrList decodes a JSON string or array of strings.
func policyStringOrList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, err
	}
	return many, nil
}

// policyScalarOrList decodes condition values, which may be strings, numbers or
// booleans, alone or in an array.
func policyScalarOrList(raw json.RawMessage) ([]string, error) {
	var vals []any
	if err := json.Unmarshal(raw, &vals); err != nil {
		var one any
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		vals = []any{one}
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool, float64:
			out = append(out, fmt.Sprint(x))
		default:
			return nil, fmt.Errorf("unsupported condition value %v", v)
		}
	}
	return out, nil
}

// parsePolicy parses and validates a policy document the way IAM does for
// the given kind, returning MalformedPolicyDocument errors with AWS's texts.
func parsePolicy(doc string, kind policyKind) (*policyDocument, error) {
	var raw struct {
		Version   string          `json:"Version"`
		ID        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&raw); err != nil {
		return nil, errMalformedPolicy("This policy contains invalid Json")
	}
	if raw.Version != "" && raw.Version != "2012-10-17" && raw.Version != "2008-10-17" {
		return nil, errMalformedPolicy("The policy must contain a valid version string")
	}
	var rawStmts []map[string]json.RawMessage
	if len(raw.Statement) == 0 {
		return nil, errMalformedPolicy("Syntax errors in policy.")
	}
	if raw.Statement[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, errMalformedPolicy("This policy contains invalid Json")
		}
		rawStmts = []map[string]json.RawMessage{one}
	} else if err := json.Unmarshal(raw.Statement, &rawStmts); err != nil {
		return nil, errMalformedPolicy("This policy contains invalid Json")
	}
	if len(rawStmts) == 0 {
		return nil, errMalformedPolicy("Syntax errors in policy.")
	}
	out := &policyDocument{Version: raw.Version}
	for _, rs := range rawStmts {
		st, err := parseStatement(rs, kind)
		if err != nil {
			return nil, err
		}
		out.Statement = append(out.Statement, st)
	}
	return out, nil
}

func parseStatement(rs map[string]json.RawMessage, kind policyKind) (policyStatement, error) {
	var st policyStatement
	for k := range rs {
		switch k {
		case "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition":
		default:
			return st, errMalformedPolicy("Syntax errors in policy.")
		}
	}
	if v, ok := rs["Sid"]; ok {
		if err := json.Unmarshal(v, &st.Sid); err != nil {
			return st, errMalformedPolicy("Syntax errors in policy.")
		}
	}
	if err := json.Unmarshal(rs["Effect"], &st.Effect); err != nil || (st.Effect != "Allow" && st.Effect != "Deny") {
		return st, errMalformedPolicy("Syntax errors in policy.")
	}
	var err error
	if st.Action, err = policyStringOrList(rs["Action"]); err != nil {
		return st, errMalformedPolicy("Syntax errors in policy.")
	}
	if st.NotAction, err = policyStringOrList(rs["NotAction"]); err != nil {
		return st, errMalformedPolicy("Syntax errors in policy.")
	}
	if len(st.Action) == 0 && len(st.NotAction) == 0 {
		return st, errMalformedPolicy("Policy statement must contain actions.")
	}
	for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
		if a != "*" && !strings.Contains(a, ":") {
			return st, errMalformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
	}
	if st.Resource, err = policyStringOrList(rs["Resource"]); err != nil {
		return st, errMalformedPolicy("Syntax errors in policy.")
	}
	if st.NotResource, err = policyStringOrList(rs["NotResource"]); err != nil {
		return st, errMalformedPolicy("Syntax errors in policy.")
	}
	st.HasResource = len(st.Resource) > 0 || len(st.NotResource) > 0
	if p, ok := rs["Principal"]; ok {
		st.HasPrincipal = true
		st.Principal, err = parsePrincipal(p)
		if err != nil {
			return st, errMalformedPolicy("Invalid principal in policy")
		}
	}
	if _, ok := rs["NotPrincipal"]; ok && kind == policyIdentity {
		return st, errMalformedPolicy("Policy document should not specify a principal.")
	}
	switch kind {
	case policyIdentity:
		if st.HasPrincipal {
			return st, errMalformedPolicy("Policy document should not specify a principal.")
		}
		if !st.HasResource {
			return st, errMalformedPolicy("Policy statement must contain resources.")
		}
	case policyTrust:
		if !st.HasPrincipal {
			return st, errMalformedPolicy("AssumeRolepolicy contained an invalid principal element.")
		}
		if st.HasResource {
			return st, errMalformedPolicy("Has prohibited field Resource")
		}
	case policyResource:
		if !st.HasPrincipal {
			return st, errMalformedPolicy("Policy statement must contain a principal.")
		}
	}
	if c, ok := rs["Condition"]; ok {
		var cond map[string]map[string]json.RawMessage
		if err := json.Unmarshal(c, &cond); err != nil {
			return st, errMalformedPolicy("Syntax errors in policy.")
		}
		st.Condition = map[string]map[string][]string{}
		for op, keys := range cond {
			if _, _, ok := conditionOperator(op); !ok {
				return st, errMalformedPolicy("Invalid Condition type : " + op)
			}
			st.Condition[op] = map[string][]string{}
			for k, v := range keys {
				vals, err := policyScalarOrList(v)
				if err != nil {
					return st, errMalformedPolicy("Syntax errors in policy.")
				}
				st.Condition[op][k] = vals
			}
		}
	}
	return st, nil
}

func parsePrincipal(raw json.RawMessage) (map[string][]string, error) {
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return nil, fmt.Errorf("invalid principal %q", star)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for k, v := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, fmt.Errorf("invalid principal type %q", k)
		}
		vals, err := policyStringOrList(v)
		if err != nil {
			return nil, err
		}
		for _, p := range vals {
			if k == "AWS" && !policyValidAWSPrincipal(p) || k == "Service" && !strings.Contains(p, ".") {
				return nil, fmt.Errorf("invalid %s principal %q", k, p)
			}
		}
		out[k] = vals
	}
	return out, nil
}

// policyValidAWSPrincipal accepts "*", an account ID or an IAM/STS ARN.
func policyValidAWSPrincipal(p string) bool {
	if p == "*" || strings.HasPrefix(p, "arn:aws:iam::") || strings.HasPrefix(p, "arn:aws:sts::") {
		return true
	}
	if len(p) != 12 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// policyGlob matches s against a pattern with * (any run) and ? (one char).
func policyGlob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			starP, starI = p, i
			p++
		case starP >= 0:
			p = starP + 1
			starI++
			i = starI
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// policyArnMatch compares ARNs part by part (arn:partition:service:region:account:resource),
// each part with wildcards, as ArnLike does.
func policyArnMatch(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return pattern == "*" || policyGlob(pattern, arn, false)
	}
	for i := range pp {
		if !policyGlob(pp[i], ap[i], false) {
			return false
		}
	}
	return true
}

// conditionOperator splits an operator such as "StringLikeIfExists" into
// its base and the IfExists flag. ok is false for unsupported operators.
func conditionOperator(op string) (base string, ifExists bool, ok bool) {
	base = op
	// Set operators: the emulator's condition keys are single-valued, so
	// ForAnyValue:X behaves as X, and ForAllValues:X as XIfExists (it holds
	// vacuously when the key is absent).
	if rest, found := strings.CutPrefix(base, "ForAnyValue:"); found {
		base = rest
	} else if rest, found := strings.CutPrefix(base, "ForAllValues:"); found {
		base, ifExists = rest, true
		if strings.HasSuffix(base, "IfExists") || base == "Null" {
			return "", false, false
		}
	}
	if strings.HasSuffix(base, "IfExists") {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	switch base {
	case "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Bool":
		return base, ifExists, true
	case "Null":
		return base, false, !ifExists
	}
	return "", false, false
}

// negatedOperator reports operators that hold when the key is absent.
func negatedOperator(base string) bool {
	switch base {
	case "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike":
		return true
	}
	return false
}

// policyLookupKey finds a condition key case-insensitively.
func policyLookupKey(keys map[string]string, k string) (string, bool) {
	if v, ok := keys[k]; ok {
		return v, true
	}
	for kk, v := range keys {
		if strings.EqualFold(kk, k) {
			return v, true
		}
	}
	return "", false
}

// conditionsHold evaluates a Condition block: every operator and every key
// must hold; several values for one key are alternatives. A key absent from
// the request makes a positive operator false and a negated one true (as
// AWS documents), unless the operator ends in IfExists, which then holds.
func conditionsHold(cond map[string]map[string][]string, keys map[string]string) bool {
	for op, byKey := range cond {
		base, ifExists, ok := conditionOperator(op)
		if !ok {
			return false
		}
		for k, vals := range byKey {
			v, present := policyLookupKey(keys, k)
			if base == "Null" {
				want := len(vals) > 0 && strings.EqualFold(vals[0], "true")
				if want == present {
					return false
				}
				continue
			}
			if !present {
				if ifExists || negatedOperator(base) {
					continue
				}
				return false
			}
			if !conditionValueHolds(base, v, vals) {
				return false
			}
		}
	}
	return true
}

func conditionValueHolds(base, v string, vals []string) bool {
	anyOf := func(f func(p string) bool) bool {
		for _, p := range vals {
			if f(p) {
				return true
			}
		}
		return false
	}
	switch base {
	case "StringEquals":
		return anyOf(func(p string) bool { return p == v })
	case "StringNotEquals":
		return !anyOf(func(p string) bool { return p == v })
	case "StringEqualsIgnoreCase":
		return anyOf(func(p string) bool { return strings.EqualFold(p, v) })
	case "StringNotEqualsIgnoreCase":
		return !anyOf(func(p string) bool { return strings.EqualFold(p, v) })
	case "StringLike":
		return anyOf(func(p string) bool { return policyGlob(p, v, false) })
	case "StringNotLike":
		return !anyOf(func(p string) bool { return policyGlob(p, v, false) })
	case "ArnEquals", "ArnLike":
		return anyOf(func(p string) bool { return policyArnMatch(p, v) })
	case "ArnNotEquals", "ArnNotLike":
		return !anyOf(func(p string) bool { return policyArnMatch(p, v) })
	case "Bool":
		return anyOf(func(p string) bool { return strings.EqualFold(p, v) })
	}
	return false
}

// policyMatchesAny reports whether s matches any pattern.
func policyMatchesAny(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if policyGlob(p, s, fold) {
			return true
		}
	}
	return false
}

// statementApplies reports whether an identity statement covers the request.
func (st *policyStatement) appliesTo(action, resource string, keys map[string]string) bool {
	if len(st.Action) > 0 && !policyMatchesAny(st.Action, action, true) {
		return false
	}
	if len(st.NotAction) > 0 && policyMatchesAny(st.NotAction, action, true) {
		return false
	}
	if len(st.Resource) > 0 && !policyMatchesAny(st.Resource, resource, false) {
		return false
	}
	if len(st.NotResource) > 0 && policyMatchesAny(st.NotResource, resource, false) {
		return false
	}
	return conditionsHold(st.Condition, keys)
}

// principalMatches reports whether the statement's Principal names the
// given principal of the given type ("Service", "AWS").
func (st *policyStatement) principalMatches(kind, principal string) bool {
	if _, ok := st.Principal["*"]; ok {
		return true
	}
	for _, p := range st.Principal[kind] {
		if p == "*" || p == principal {
			return true
		}
	}
	return false
}

// policyDecision is the outcome of evaluating policies.
type policyDecision int

const (
	policyImplicitDeny policyDecision = iota
	policyAllow
	policyExplicitDeny
)

// evaluateIdentity evaluates identity policies: an explicit Deny wins, then
// any Allow, else the default (implicit) deny.
func evaluateIdentity(docs []*policyDocument, action, resource string, keys map[string]string) policyDecision {
	allowed := false
	for _, d := range docs {
		for i := range d.Statement {
			st := &d.Statement[i]
			if !st.appliesTo(action, resource, keys) {
				continue
			}
			if st.Effect == "Deny" {
				return policyExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return policyAllow
	}
	return policyImplicitDeny
}

// evaluateResource evaluates a resource-based policy (trust policy, Lambda
// function policy) for a principal of a kind ("Service" or "AWS").
func evaluateResource(d *policyDocument, kind, principal, action, resource string, keys map[string]string) policyDecision {
	if d == nil {
		return policyImplicitDeny
	}
	allowed := false
	for i := range d.Statement {
		st := &d.Statement[i]
		if !st.principalMatches(kind, principal) {
			continue
		}
		if len(st.Action) > 0 && !policyMatchesAny(st.Action, action, true) {
			continue
		}
		if len(st.NotAction) > 0 && policyMatchesAny(st.NotAction, action, true) {
			continue
		}
		if len(st.Resource) > 0 && resource != "" && !policyMatchesAny(st.Resource, resource, false) {
			continue
		}
		if !conditionsHold(st.Condition, keys) {
			continue
		}
		if st.Effect == "Deny" {
			return policyExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return policyAllow
	}
	return policyImplicitDeny
}

// evaluateResourceForAny evaluates a resource-based policy (a secret's
// resource policy) for a caller known by several identifiers of one kind
// (its ARN, its role's ARN, its account): an explicit Deny naming any of
// them wins over every Allow, as IAM evaluates resource policies.
func evaluateResourceForAny(d *policyDocument, kind string, principals []string, action, resource string, keys map[string]string) policyDecision {
	out := policyImplicitDeny
	for _, p := range principals {
		switch evaluateResource(d, kind, p, action, resource, keys) {
		case policyExplicitDeny:
			return policyExplicitDeny
		case policyAllow:
			out = policyAllow
		}
	}
	return out
}

// policySortedKeys returns a map's keys in order (stable output).
func policySortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
