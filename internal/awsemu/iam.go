package awsemu

// iam.go is the IAM backend: roles with trust, inline and attached
// policies and tags (query protocol), plus the policy-based Authorizer and
// the role credentials (RoleCredentials) every other service relies on.

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	_ Authorizer          = (*iamBackend)(nil)
	_ RoleCredentials     = (*iamBackend)(nil)
	_ accessKeyStore      = (*iamBackend)(nil)
	_ sessionTokenChecker = (*iamBackend)(nil)
	_ persistent          = (*iamBackend)(nil)
)

const iamXMLNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// iamRoleCredentialsLifetime is how long issued role credentials are valid.
const iamRoleCredentialsLifetime = time.Hour

// iamKeyRetention is how long (wall time) issued keys are remembered.
const iamKeyRetention = 12 * time.Hour

// awsManagedPolicies are the AWS-managed policies that roles may attach,
// with their real statements so that evaluation sees them.
var awsManagedPolicies = map[string]string{
	"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole":     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": `{"Version":"2012-10-17","Statement":[{"Sid":"AWSLambdaVPCAccessExecutionPermissions","Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DescribeSubnets","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/AdministratorAccess":                          `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/ReadOnlyAccess":                               `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:Describe*","secretsmanager:Get*","secretsmanager:List*","lambda:Get*","lambda:List*","logs:Describe*","logs:Get*","logs:FilterLogEvents","iam:Get*","iam:List*","kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`,
}

// iamRole is one stored role.
type iamRole struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Path             string            `json:"path"`
	ARN              string            `json:"arn"`
	AssumeRolePolicy string            `json:"assumeRolePolicy"`
	Description      string            `json:"description,omitempty"`
	MaxSession       int               `json:"maxSession"`
	Created          time.Time         `json:"created"`
	Inline           map[string]string `json:"inline"`
	Attached         []string          `json:"attached"`
	Tags             []iamTag          `json:"tags"`
	// Versions are the role's authorisation-relevant states (trust,
	// inline and attached policies), oldest first, each stamped with the
	// emulator-clock time it was written. The rest of AWS (Lambda, STS,
	// the role's own sessions) sees the newest version that is at least
	// the propagation delay old: IAM is eventually consistent.
	Versions []iamRoleVersion `json:"versions,omitempty"`
}

// iamRoleVersion is one state of a role as other services see it.
type iamRoleVersion struct {
	At       time.Time         `json:"at"` // emulator clock
	Trust    string            `json:"trust"`
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
}

// changed records the role's current state as a new version written at
// now (emulator clock); versions older than the one in effect are dropped.
// b.mu must be held.
func (r *iamRole) changed(now time.Time, delay time.Duration) {
	inline := make(map[string]string, len(r.Inline))
	for k, v := range r.Inline {
		inline[k] = v
	}
	r.Versions = append(r.Versions, iamRoleVersion{At: now, Trust: r.AssumeRolePolicy, Inline: inline, Attached: append([]string(nil), r.Attached...)})
	for len(r.Versions) > 1 && !now.Before(r.Versions[1].At.Add(delay)) {
		r.Versions = r.Versions[1:]
	}
}

// effective returns the version the rest of AWS sees at now, or nil while
// a new role has not propagated yet. A role without versions (a state
// file written before versions existed) is in effect as it is.
func (r *iamRole) effective(now time.Time, delay time.Duration) *iamRoleVersion {
	if len(r.Versions) == 0 {
		return &iamRoleVersion{Trust: r.AssumeRolePolicy, Inline: r.Inline, Attached: r.Attached}
	}
	for i := len(r.Versions) - 1; i >= 0; i-- {
		if !now.Before(r.Versions[i].At.Add(delay)) {
			return &r.Versions[i]
		}
	}
	return nil
}

type iamTag struct {
	Key   string `xml:"Key" json:"key"`
	Value string `xml:"Value" json:"value"`
}

// iamIssuedKey is a temporary access key issued for a role session.
type iamIssuedKey struct {
	AccessKeyID  string    `json:"accessKeyId"`
	Secret       string    `json:"secret"`
	SessionToken string    `json:"sessionToken"`
	RoleName     string    `json:"roleName"`
	Session      string    `json:"session"`
	Expiration   time.Time `json:"expiration"`
	// IssuedWall is the wall time of issue; keys older than
	// iamKeyRetention are forgotten so the store (and the state file)
	// does not grow without bound.
	IssuedWall time.Time `json:"issuedWall"`
}

// iamBackend holds IAM state.
type iamBackend struct {
	env   *Env
	mu    sync.Mutex
	roles map[string]*iamRole // key: lower-cased role name (IAM names are case-insensitive)
	keys  map[string]*iamIssuedKey
}

func newIAM(env *Env) *iamBackend {
	return &iamBackend{env: env, roles: map[string]*iamRole{}, keys: map[string]*iamIssuedKey{}}
}

// Service registers IAM with the core.
func (b *iamBackend) Service() *Service {
	return &Service{
		Name:         "iam",
		Protocol:     ProtocolQuery,
		XMLNamespace: iamXMLNamespace,
		Ops: map[string]Handler{
			"CreateRole":               b.createRole,
			"GetRole":                  b.getRole,
			"DeleteRole":               b.deleteRole,
			"UpdateAssumeRolePolicy":   b.updateAssumeRolePolicy,
			"PutRolePolicy":            b.putRolePolicy,
			"GetRolePolicy":            b.getRolePolicy,
			"DeleteRolePolicy":         b.deleteRolePolicy,
			"ListRolePolicies":         b.listRolePolicies,
			"AttachRolePolicy":         b.attachRolePolicy,
			"DetachRolePolicy":         b.detachRolePolicy,
			"ListAttachedRolePolicies": b.listAttachedRolePolicies,
			"TagRole":                  b.tagRole,
			"UntagRole":                b.untagRole,
			"ListRoleTags":             b.listRoleTags,
		},
	}
}

// ---- errors ----

func iamNoSuchRole(name string) *APIError {
	return &APIError{Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found.", HTTPStatus: 404}
}

func iamValidation(msg string) *APIError {
	return &APIError{Code: "ValidationError", Message: msg, HTTPStatus: 400}
}

// ---- helpers ----

var iamRoleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
var iamPolicyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

func iamForm(c *Call, name string) string {
	if v := c.Form[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// iamFormList reads a query-protocol list (Name.member.1, Name.member.2 and so on).
func iamFormList(c *Call, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := c.Form[name+".member."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// iamFormTags reads Tags.member.N.Key / .Value (the query protocol's
// tag list, shared by IAM and SNS).
func iamFormTags(c *Call) []iamTag {
	var out []iamTag
	for i := 1; ; i++ {
		p := "Tags.member." + strconv.Itoa(i)
		k, ok := c.Form[p+".Key"]
		if !ok || len(k) == 0 {
			return out
		}
		t := iamTag{Key: k[0]}
		if v := c.Form[p+".Value"]; len(v) > 0 {
			t.Value = v[0]
		}
		out = append(out, t)
	}
}

// iamURLEncode percent-encodes everything but unreserved characters, the
// way IAM returns policy documents; both url.QueryUnescape and
// url.PathUnescape decode it.
func iamURLEncode(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == '~' {
			sb.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&sb, "%%%02X", ch)
	}
	return sb.String()
}

const iamRandAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func iamTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// roleNameFromARN returns the role name of arn:aws:iam::ACCT:role[/path]/NAME.
func (b *iamBackend) roleNameFromARN(arn string) (string, bool) {
	prefix := "arn:aws:iam::" + b.env.AccountID + ":role/"
	if !strings.HasPrefix(arn, prefix) {
		return "", false
	}
	rest := arn[len(prefix):]
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	}
	return rest, rest != ""
}

// delay is the IAM propagation delay (emulator clock).
func (b *iamBackend) delay() time.Duration {
	if b.env.IAMPropagationDelay == nil {
		return 0
	}
	return b.env.IAMPropagationDelay()
}

func (b *iamBackend) authorize(c *Call, action, roleName string) error {
	return b.Authorize(c.Caller, action, "arn:aws:iam::"+b.env.AccountID+":role/"+roleName, nil)
}

// lookupRole returns the role or NoSuchEntity; b.mu must be held.
func (b *iamBackend) lookupRole(name string) (*iamRole, error) {
	if name == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
	}
	r, ok := b.roles[strings.ToLower(name)]
	if !ok {
		return nil, iamNoSuchRole(name)
	}
	return r, nil
}

// ---- XML shapes ----

type iamRoleXML struct {
	Path                     string    `xml:"Path"`
	RoleName                 string    `xml:"RoleName"`
	RoleID                   string    `xml:"RoleId"`
	Arn                      string    `xml:"Arn"`
	CreateDate               string    `xml:"CreateDate"`
	AssumeRolePolicyDocument string    `xml:"AssumeRolePolicyDocument"`
	Description              string    `xml:"Description,omitempty"`
	MaxSessionDuration       int       `xml:"MaxSessionDuration"`
	Tags                     *iamTagsX `xml:"Tags,omitempty"`
}

type iamTagsX struct {
	Member []iamTag `xml:"member"`
}

type iamRoleResult struct {
	Role iamRoleXML `xml:"Role"`
}

type iamNamesResult struct {
	PolicyNames struct {
		Member []string `xml:"member"`
	} `xml:"PolicyNames"`
	IsTruncated bool `xml:"IsTruncated"`
}

type iamAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type iamAttachedResult struct {
	AttachedPolicies struct {
		Member []iamAttachedPolicy `xml:"member"`
	} `xml:"AttachedPolicies"`
	IsTruncated bool `xml:"IsTruncated"`
}

type iamRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type iamTagsResult struct {
	Tags        iamTagsX `xml:"Tags"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func (r *iamRole) xml(withTags bool) iamRoleXML {
	x := iamRoleXML{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: iamTime(r.Created),
		AssumeRolePolicyDocument: iamURLEncode(r.AssumeRolePolicy), Description: r.Description,
		MaxSessionDuration: r.MaxSession,
	}
	if withTags && len(r.Tags) > 0 {
		x.Tags = &iamTagsX{Member: append([]iamTag(nil), r.Tags...)}
	}
	return x
}

// ---- operations ----

func (b *iamBackend) createRole(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	if !iamRoleNameRE.MatchString(name) {
		return nil, iamValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name))
	}
	if err := b.authorize(c, "iam:CreateRole", name); err != nil {
		return nil, err
	}
	doc := iamForm(c, "AssumeRolePolicyDocument")
	if doc == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
	}
	if _, err := parsePolicy(doc, policyTrust); err != nil {
		return nil, err
	}
	path := iamForm(c, "Path")
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") || len(path) > 512 {
		return nil, iamValidation("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	maxSession := 3600
	if v := iamForm(c, "MaxSessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3600 || n > 43200 {
			return nil, iamValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", v))
		}
		maxSession = n
	}
	tags := iamFormTags(c)
	if len(tags) > 50 {
		return nil, &APIError{Code: "LimitExceeded", Message: "Cannot exceed quota for TagsPerRole: 50.", HTTPStatus: 409}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.roles[strings.ToLower(name)]; ok {
		return nil, &APIError{Code: "EntityAlreadyExists", Message: "Role with name " + name + " already exists.", HTTPStatus: 409}
	}
	r := &iamRole{
		Name: name, ID: "AROA" + emuRandomFrom(iamRandAlphabet, 17), Path: path,
		ARN:              "arn:aws:iam::" + b.env.AccountID + ":role" + path + name,
		AssumeRolePolicy: doc, Description: iamForm(c, "Description"), MaxSession: maxSession,
		Created: b.env.Now().UTC().Truncate(time.Second),
		Inline:  map[string]string{}, Tags: tags,
	}
	r.changed(c.Now, b.delay())
	b.roles[strings.ToLower(name)] = r
	return iamRoleResult{Role: r.xml(true)}, nil
}

func (b *iamBackend) getRole(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	return b.withRole(c, "iam:GetRole", name, func(r *iamRole) (any, error) {
		return iamRoleResult{Role: r.xml(true)}, nil
	})
}

func (b *iamBackend) deleteRole(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	return b.withRole(c, "iam:DeleteRole", name, func(r *iamRole) (any, error) {
		if len(r.Attached) > 0 {
			return nil, &APIError{Code: "DeleteConflict", Message: "Cannot delete entity, must detach all policies first.", HTTPStatus: 409}
		}
		if len(r.Inline) > 0 {
			return nil, &APIError{Code: "DeleteConflict", Message: "Cannot delete entity, must delete policies first.", HTTPStatus: 409}
		}
		// IAM is eventually consistent: until the removal of a policy has
		// propagated, DeleteRole still sees it.
		if v := r.effective(c.Now, b.delay()); v != nil && len(v.Attached) > 0 {
			return nil, &APIError{Code: "DeleteConflict", Message: "Cannot delete entity, must detach all policies first.", HTTPStatus: 409}
		} else if v != nil && len(v.Inline) > 0 {
			return nil, &APIError{Code: "DeleteConflict", Message: "Cannot delete entity, must delete policies first.", HTTPStatus: 409}
		}
		delete(b.roles, strings.ToLower(name))
		return nil, nil
	})
}

func (b *iamBackend) updateAssumeRolePolicy(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	if err := b.authorize(c, "iam:UpdateAssumeRolePolicy", name); err != nil {
		return nil, err
	}
	doc := iamForm(c, "PolicyDocument")
	if doc == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if _, err := parsePolicy(doc, policyTrust); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	r.AssumeRolePolicy = doc
	r.changed(c.Now, b.delay())
	return nil, nil
}

func (b *iamBackend) putRolePolicy(c *Call) (any, error) {
	name, pname, doc := iamForm(c, "RoleName"), iamForm(c, "PolicyName"), iamForm(c, "PolicyDocument")
	if err := b.authorize(c, "iam:PutRolePolicy", name); err != nil {
		return nil, err
	}
	if !iamPolicyNameRE.MatchString(pname) {
		return nil, iamValidation(fmt.Sprintf("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", pname))
	}
	if doc == "" {
		return nil, iamValidation("1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if _, err := parsePolicy(doc, policyIdentity); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	r.Inline[pname] = doc
	r.changed(c.Now, b.delay())
	return nil, nil
}

func (b *iamBackend) getRolePolicy(c *Call) (any, error) {
	name, pname := iamForm(c, "RoleName"), iamForm(c, "PolicyName")
	return b.withRole(c, "iam:GetRolePolicy", name, func(r *iamRole) (any, error) {
		doc, ok := r.Inline[pname]
		if !ok {
			return nil, &APIError{Code: "NoSuchEntity", Message: "The role policy with name " + pname + " cannot be found.", HTTPStatus: 404}
		}
		return iamRolePolicyResult{RoleName: r.Name, PolicyName: pname, PolicyDocument: iamURLEncode(doc)}, nil
	})
}

func (b *iamBackend) deleteRolePolicy(c *Call) (any, error) {
	name, pname := iamForm(c, "RoleName"), iamForm(c, "PolicyName")
	return b.withRole(c, "iam:DeleteRolePolicy", name, func(r *iamRole) (any, error) {
		if _, ok := r.Inline[pname]; !ok {
			return nil, &APIError{Code: "NoSuchEntity", Message: "The role policy with name " + pname + " cannot be found.", HTTPStatus: 404}
		}
		delete(r.Inline, pname)
		r.changed(c.Now, b.delay())
		return nil, nil
	})
}

func (b *iamBackend) listRolePolicies(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	return b.withRole(c, "iam:ListRolePolicies", name, func(r *iamRole) (any, error) {
		var res iamNamesResult
		res.PolicyNames.Member = policySortedKeys(r.Inline)
		return res, nil
	})
}

func (b *iamBackend) attachRolePolicy(c *Call) (any, error) {
	name, arn := iamForm(c, "RoleName"), iamForm(c, "PolicyArn")
	if err := b.authorize(c, "iam:AttachRolePolicy", name); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(arn, "arn:") {
		return nil, &APIError{Code: "InvalidInput", Message: "ARN " + arn + " is not valid.", HTTPStatus: 400}
	}
	if _, ok := awsManagedPolicies[arn]; !ok {
		return nil, &APIError{Code: "NoSuchEntity", Message: "Policy " + arn + " does not exist or is not attachable.", HTTPStatus: 404}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	for _, a := range r.Attached {
		if a == arn {
			return nil, nil
		}
	}
	if len(r.Attached) >= 10 {
		return nil, &APIError{Code: "LimitExceeded", Message: "Cannot exceed quota for PoliciesPerRole: 10", HTTPStatus: 409}
	}
	r.Attached = append(r.Attached, arn)
	r.changed(c.Now, b.delay())
	return nil, nil
}

func (b *iamBackend) detachRolePolicy(c *Call) (any, error) {
	name, arn := iamForm(c, "RoleName"), iamForm(c, "PolicyArn")
	return b.withRole(c, "iam:DetachRolePolicy", name, func(r *iamRole) (any, error) {
		for i, a := range r.Attached {
			if a == arn {
				r.Attached = append(r.Attached[:i], r.Attached[i+1:]...)
				r.changed(c.Now, b.delay())
				return nil, nil
			}
		}
		return nil, &APIError{Code: "NoSuchEntity", Message: "Policy " + arn + " was not found.", HTTPStatus: 404}
	})
}

func (b *iamBackend) listAttachedRolePolicies(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	return b.withRole(c, "iam:ListAttachedRolePolicies", name, func(r *iamRole) (any, error) {
		var res iamAttachedResult
		for _, a := range r.Attached {
			res.AttachedPolicies.Member = append(res.AttachedPolicies.Member, iamAttachedPolicy{PolicyName: a[strings.LastIndex(a, "/")+1:], PolicyArn: a})
		}
		return res, nil
	})
}

func (b *iamBackend) tagRole(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	if err := b.authorize(c, "iam:TagRole", name); err != nil {
		return nil, err
	}
	tags := iamFormTags(c)
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	merged := append([]iamTag(nil), r.Tags...)
	for _, t := range tags {
		replaced := false
		for i := range merged {
			if merged[i].Key == t.Key {
				merged[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			merged = append(merged, t)
		}
	}
	if len(merged) > 50 {
		return nil, &APIError{Code: "LimitExceeded", Message: "Cannot exceed quota for TagsPerRole: 50.", HTTPStatus: 409}
	}
	r.Tags = merged
	return nil, nil
}

func (b *iamBackend) untagRole(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	if err := b.authorize(c, "iam:UntagRole", name); err != nil {
		return nil, err
	}
	keys := iamFormList(c, "TagKeys")
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	kept := r.Tags[:0:0]
	for _, t := range r.Tags {
		drop := false
		for _, k := range keys {
			if k == t.Key {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, t)
		}
	}
	r.Tags = kept
	return nil, nil
}

func (b *iamBackend) listRoleTags(c *Call) (any, error) {
	name := iamForm(c, "RoleName")
	return b.withRole(c, "iam:ListRoleTags", name, func(r *iamRole) (any, error) {
		res := iamTagsResult{Tags: iamTagsX{Member: append([]iamTag(nil), r.Tags...)}}
		return res, nil
	})
}

// ---- Authorizer ----

// roleDocuments returns the parsed inline and attached policies of a role
// version.
func (b *iamBackend) roleDocuments(v *iamRoleVersion) []*policyDocument {
	var docs []*policyDocument
	for _, n := range policySortedKeys(v.Inline) {
		if d, err := parsePolicy(v.Inline[n], policyIdentity); err == nil {
			docs = append(docs, d)
		}
	}
	for _, a := range v.Attached {
		if d, err := parsePolicy(awsManagedPolicies[a], policyIdentity); err == nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// Authorize evaluates a role principal's inline and attached policies for
// action on resource. Non-role principals are allowed.
func (b *iamBackend) Authorize(p *Principal, action, resource string, conditionKeys map[string]string) error {
	if !p.IsRole() {
		return nil
	}
	keys := map[string]string{
		"aws:PrincipalArn":     "arn:aws:iam::" + b.env.AccountID + ":role/" + p.RoleName,
		"aws:PrincipalAccount": p.AccountID,
		"aws:RequestedRegion":  b.env.Region,
	}
	for k, v := range conditionKeys {
		keys[k] = v
	}
	b.mu.Lock()
	var dec policyDecision
	if r, ok := b.roles[strings.ToLower(p.RoleName)]; ok {
		keys["aws:PrincipalArn"] = r.ARN
		for _, t := range r.Tags {
			keys["aws:PrincipalTag/"+t.Key] = t.Value
		}
		// The role's sessions get the policies that have propagated; a
		// role that has not propagated yet allows nothing.
		if v := r.effective(b.env.Now(), b.delay()); v != nil {
			dec = evaluateIdentity(b.roleDocuments(v), action, resource, keys)
		}
	}
	b.mu.Unlock()
	if dec == policyAllow {
		return nil
	}
	return iamAccessDenied(p.ARN, action, resource, dec == policyExplicitDeny)
}

// accessDenied builds the denial in the shape of the action's service.
func iamAccessDenied(principalARN, action, resource string, explicit bool) *APIError {
	why := "because no identity-based policy allows the " + action + " action"
	if explicit {
		why = "with an explicit deny in an identity-based policy"
	}
	msg := "User: " + principalARN + " is not authorized to perform: " + action + " on resource: " + resource + " " + why
	svc, _, _ := strings.Cut(action, ":")
	switch strings.ToLower(svc) {
	case "iam", "sts":
		return &APIError{Code: "AccessDenied", Message: msg, HTTPStatus: 403}
	case "lambda":
		return &APIError{Code: "AccessDeniedException", Message: msg, HTTPStatus: 403}
	}
	return &APIError{Code: "AccessDeniedException", Message: msg, HTTPStatus: 400}
}

// ---- RoleCredentials ----

// IssueRoleCredentials issues temporary credentials for a session of the role.
func (b *iamBackend) IssueRoleCredentials(roleARN, sessionName string) (Credentials, error) {
	name, ok := b.roleNameFromARN(roleARN)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !ok {
		return Credentials{}, &APIError{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRole", HTTPStatus: 403}
	}
	r, ok := b.roles[strings.ToLower(name)]
	if !ok || r.ARN != roleARN && !strings.HasSuffix(roleARN, ":role/"+r.Name) {
		return Credentials{}, &APIError{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRole", HTTPStatus: 403}
	}
	k := &iamIssuedKey{
		AccessKeyID:  "ASIA" + emuRandomFrom(iamRandAlphabet, 16),
		Secret:       emuRandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
		SessionToken: "IQoJb3JpZ2luX2VjE" + emuRandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 200),
		RoleName:     r.Name, Session: sessionName,
		Expiration: b.env.Now().UTC().Add(iamRoleCredentialsLifetime).Truncate(time.Second),
		IssuedWall: time.Now(),
	}
	b.pruneKeysLocked()
	b.keys[k.AccessKeyID] = k
	return Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.Secret, SessionToken: k.SessionToken, Expiration: k.Expiration}, nil
}

// pruneKeysLocked forgets keys issued more than iamKeyRetention ago; b.mu held.
func (b *iamBackend) pruneKeysLocked() {
	for id, k := range b.keys {
		if !k.IssuedWall.IsZero() && time.Since(k.IssuedWall) > iamKeyRetention {
			delete(b.keys, id)
		}
	}
}

// LookupAccessKey returns the principal and secret key of issued role
// credentials, for the core's SigV4 check.
func (b *iamBackend) LookupAccessKey(akid string) (*Principal, string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k, ok := b.keys[akid]
	if !ok {
		return nil, "", false
	}
	return &Principal{
		AccountID: b.env.AccountID, AccessKeyID: akid, RoleName: k.RoleName,
		ARN: "arn:aws:sts::" + b.env.AccountID + ":assumed-role/" + k.RoleName + "/" + k.Session,
	}, k.Secret, true
}

// CheckSessionToken reports whether token is the session token issued
// with akid.
func (b *iamBackend) CheckSessionToken(akid, token string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	k, ok := b.keys[akid]
	return ok && subtle.ConstantTimeCompare([]byte(k.SessionToken), []byte(token)) == 1
}

// errCannotAssume is Lambda's error for a role it cannot assume.
func errCannotAssume() *APIError {
	return &APIError{Code: "InvalidParameterValueException", Message: "The role defined for the function cannot be assumed by Lambda.", HTTPStatus: 400}
}

// CheckAssumable reports whether servicePrincipal may assume roleARN now:
// the role exists and the version of it that has propagated (see
// iamRole.effective; emulator clock) has a trust policy that allows the
// principal (conditions evaluated with aws:SourceAccount = the account).
func (b *iamBackend) CheckAssumable(roleARN, servicePrincipal string) error {
	name, ok := b.roleNameFromARN(roleARN)
	if !ok {
		return errCannotAssume()
	}
	b.mu.Lock()
	r, ok := b.roles[strings.ToLower(name)]
	var trust string
	if ok && r.ARN == roleARN {
		if v := r.effective(b.env.Now(), b.delay()); v != nil {
			trust = v.Trust
		}
	}
	b.mu.Unlock()
	if trust == "" {
		return errCannotAssume()
	}
	doc, err := parsePolicy(trust, policyTrust)
	if err != nil {
		return errCannotAssume()
	}
	keys := map[string]string{"aws:SourceAccount": b.env.AccountID}
	if evaluateResource(doc, "Service", servicePrincipal, "sts:AssumeRole", "", keys) != policyAllow {
		return errCannotAssume()
	}
	return nil
}

// TrustsPrincipal reports whether roleARN's trust policy lets the AWS
// principal callerARN of the emulator's account call sts:AssumeRole: a
// statement must name that ARN, the account's root ARN, the bare account
// ID or "*", its conditions must hold, and no statement may deny it.
func (b *iamBackend) TrustsPrincipal(roleARN, callerARN, externalID string) bool {
	name, ok := b.roleNameFromARN(roleARN)
	if !ok {
		return false
	}
	b.mu.Lock()
	r, ok := b.roles[strings.ToLower(name)]
	var trust string
	if ok && r.ARN == roleARN {
		if v := r.effective(b.env.Now(), b.delay()); v != nil {
			trust = v.Trust
		}
	}
	b.mu.Unlock()
	doc, err := parsePolicy(trust, policyTrust)
	if trust == "" || err != nil {
		return false
	}
	keys := map[string]string{"aws:PrincipalAccount": b.env.AccountID, "aws:PrincipalArn": callerARN}
	if externalID != "" {
		// AssumeRole's ExternalId is the sts:ExternalId condition key
		// (IAM User Guide, "id_roles_create_for-user_externalid"); absent
		// when the caller sent none, so StringEquals on it then fails.
		keys["sts:ExternalId"] = externalID
	}
	allowed := false
	for _, p := range []string{callerARN, "arn:aws:iam::" + b.env.AccountID + ":root", b.env.AccountID} {
		switch evaluateResource(doc, "AWS", p, "sts:AssumeRole", "", keys) {
		case policyExplicitDeny:
			return false
		case policyAllow:
			allowed = true
		}
	}
	return allowed
}

// withRole authorises action on the role named name and runs f on it with
// the backend locked; a missing role is NoSuchEntity.
func (b *iamBackend) withRole(c *Call, action, name string, f func(r *iamRole) (any, error)) (any, error) {
	if err := b.authorize(c, action, name); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, err := b.lookupRole(name)
	if err != nil {
		return nil, err
	}
	return f(r)
}

// ---- persistence ----

type iamSnapshot struct {
	Roles []*iamRole      `json:"roles"`
	Keys  []*iamIssuedKey `json:"keys"`
}

func (b *iamBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s iamSnapshot
	for _, k := range policySortedKeys(b.roles) {
		s.Roles = append(s.Roles, b.roles[k])
	}
	for _, k := range policySortedKeys(b.keys) {
		s.Keys = append(s.Keys, b.keys[k])
	}
	return json.Marshal(s)
}

func (b *iamBackend) restore(data []byte) error {
	var s iamSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("iam snapshot: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roles, b.keys = map[string]*iamRole{}, map[string]*iamIssuedKey{}
	for _, r := range s.Roles {
		if r.Inline == nil {
			r.Inline = map[string]string{}
		}
		b.roles[strings.ToLower(r.Name)] = r
	}
	for _, k := range s.Keys {
		b.keys[k.AccessKeyID] = k
	}
	b.pruneKeysLocked()
	return nil
}

// PrincipalExists reports whether arn names a role of this account that
// other services can already see: Secrets Manager's PutResourcePolicy
// rejects a principal that does not exist (yet). A new role becomes
// visible after the same propagation delay as for Lambda. (Hook for
// secretsmanager_realism.go.)
func (b *iamBackend) PrincipalExists(arn string) bool {
	name, ok := b.roleNameFromARN(arn)
	if !ok {
		return false
	}
	b.mu.Lock()
	r, ok := b.roles[strings.ToLower(name)]
	var created time.Time
	if ok {
		created = r.Created
	}
	b.mu.Unlock()
	if !ok || r.ARN != arn {
		return false
	}
	if b.env.IAMPropagationDelay != nil {
		if d := b.env.IAMPropagationDelay(); d > 0 && b.env.Now().Sub(created) < d {
			return false
		}
	}
	return true
}
