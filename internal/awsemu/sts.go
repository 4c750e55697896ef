package awsemu

// sts.go is the STS backend (query protocol): GetCallerIdentity and
// AssumeRole. AssumeRole's credentials come from IAM (RoleCredentials) and
// authorise as the role.

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

const stsXMLNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsBackend has no state of its own.
type stsBackend struct {
	env   *Env
	creds RoleCredentials
}

func newSTS(env *Env, creds RoleCredentials) *stsBackend {
	return &stsBackend{env: env, creds: creds}
}

// Service registers STS with the core.
func (b *stsBackend) Service() *Service {
	return &Service{
		Name:         "sts",
		Protocol:     ProtocolQuery,
		XMLNamespace: stsXMLNamespace,
		Ops: map[string]Handler{
			"GetCallerIdentity": b.getCallerIdentity,
			"AssumeRole":        b.assumeRole,
		},
	}
}

type stsCallerIdentity struct {
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
}

func (b *stsBackend) getCallerIdentity(c *Call) (any, error) {
	p := c.Caller
	userID := p.AccountID
	if p.IsRole() {
		session := p.ARN[strings.LastIndex(p.ARN, "/")+1:]
		userID = "AROA" + strings.ToUpper(emuHashID(p.RoleName)) + ":" + session
	}
	return stsCallerIdentity{Arn: p.ARN, UserId: userID, Account: p.AccountID}, nil
}

// emuHashID derives a stable 17-character ID suffix from s.
func emuHashID(s string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	out := strconv.FormatUint(h, 36)
	for len(out) < 17 {
		out += "0"
	}
	return out[:17]
}

var stsSessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

type stsAssumeRoleResult struct {
	Credentials struct {
		AccessKeyId     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleId string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

func (b *stsBackend) assumeRole(c *Call) (any, error) {
	get := func(k string) string {
		if v := c.Form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	roleARN, session := get("RoleArn"), get("RoleSessionName")
	if roleARN == "" || session == "" {
		return nil, &APIError{Code: "ValidationError", Message: "1 validation error detected: RoleArn and RoleSessionName are required", HTTPStatus: 400}
	}
	if !stsSessionName.MatchString(session) {
		return nil, &APIError{Code: "ValidationError", Message: "1 validation error detected: Value '" + session + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", HTTPStatus: 400}
	}
	if d := get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return nil, &APIError{Code: "ValidationError", Message: "1 validation error detected: Value '" + d + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", HTTPStatus: 400}
		}
	}
	if b.creds == nil {
		return nil, &APIError{Code: "AccessDenied", Message: "IAM is not available", HTTPStatus: 403}
	}
	if c.Caller.IsRole() {
		// Role chaining is not modelled; a role session may not assume roles.
		return nil, &APIError{Code: "AccessDenied", Message: "User: " + c.Caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN, HTTPStatus: 403}
	}
	// The role's trust policy must let the caller assume it.
	if tc, ok := b.creds.(interface {
		TrustsPrincipal(roleARN, callerARN, externalID string) bool
	}); ok && !tc.TrustsPrincipal(roleARN, c.Caller.ARN, get("ExternalId")) {
		return nil, &APIError{Code: "AccessDenied", Message: "User: " + c.Caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN, HTTPStatus: 403}
	}
	cr, err := b.creds.IssueRoleCredentials(roleARN, session)
	if err != nil {
		if ae, ok := err.(*APIError); ok && ae.Code == "NoSuchEntity" {
			return nil, &APIError{Code: "AccessDenied", Message: "User: " + c.Caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN, HTTPStatus: 403}
		}
		return nil, err
	}
	var out stsAssumeRoleResult
	out.Credentials.AccessKeyId = cr.AccessKeyID
	out.Credentials.SecretAccessKey = cr.SecretAccessKey
	out.Credentials.SessionToken = cr.SessionToken
	out.Credentials.Expiration = cr.Expiration.UTC().Format(time.RFC3339)
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	out.AssumedRoleUser.AssumedRoleId = "AROA" + strings.ToUpper(emuHashID(roleName)) + ":" + session
	out.AssumedRoleUser.Arn = "arn:aws:sts::" + b.env.AccountID + ":assumed-role/" + roleName + "/" + session
	return out, nil
}
