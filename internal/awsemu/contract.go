package awsemu

// contract.go holds the types that every service of the emulator shares.
// The core (server.go, protocols, auth, admin) and the services
// (secretsmanager, kms, sts, lambda, logs, iam) are written against it.

import (
	"context"
	"net/http"
	"time"
)

// Protocol is an AWS wire protocol.
type Protocol int

const (
	// ProtocolJSON11 is awsJson1_1: POST /, X-Amz-Target "Prefix.Operation".
	// Secrets Manager, KMS and CloudWatch Logs.
	ProtocolJSON11 Protocol = iota
	// ProtocolRESTJSON is restJson1: the operation comes from method and path. Lambda.
	ProtocolRESTJSON
	// ProtocolQuery is the query protocol with XML responses: Action=Operation. IAM and STS.
	ProtocolQuery
)

// Principal is the caller of one request, derived from the SigV4 access key.
type Principal struct {
	AccountID   string
	AccessKeyID string
	// ARN is the caller's ARN: arn:aws:iam::<acct>:root for the account's
	// own keys, arn:aws:sts::<acct>:assumed-role/<role>/<session> for role
	// credentials.
	ARN string
	// RoleName is set when the credentials were issued for a role (a
	// function's role or AssumeRole). Such callers are authorised against
	// the role's policies; others are the account administrator.
	RoleName string
}

// IsRole reports whether calls by p are checked against a role's policies.
func (p *Principal) IsRole() bool { return p != nil && p.RoleName != "" }

// Call is one decoded API request handed to an operation handler.
type Call struct {
	Ctx       context.Context
	Service   string // signing name: secretsmanager, kms, logs, lambda, iam, sts
	Operation string // e.g. "CreateSecret", "Invoke"
	Region    string
	Caller    *Principal
	HTTP      *http.Request
	Body      []byte            // raw request body
	Params    map[string]string // REST path parameters (e.g. "FunctionName")
	Form      map[string][]string
	Now       time.Time // the emulator clock at the start of the call
}

// APIError is an AWS error. The core renders it in the protocol's shape so
// the SDKs map it to their typed errors.
type APIError struct {
	Code       string // e.g. "ResourceNotFoundException", "NoSuchEntity"
	Message    string
	HTTPStatus int // 400 unless set
	// Type is "Sender" or "Receiver" for the query protocol; empty means Sender.
	Type string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// RawResponse lets a handler control the HTTP response fully (Lambda Invoke).
type RawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// Handler serves one operation. The returned value is marshalled by the
// core for the service's protocol: JSON for JSON protocols; for the query
// protocol it is XML-marshalled inside <OpResult> of <OpResponse>. A
// *RawResponse is written as is. A nil value with a nil error is an empty
// success (HTTP 200 "{}" for JSON 1.1, 204 where a REST op says so through
// a RawResponse).
type Handler func(c *Call) (any, error)

// Route maps a REST request to an operation (restJson1 services only).
type Route struct {
	Method    string
	Pattern   string // e.g. "/2015-03-31/functions/{FunctionName}/invocations"
	Operation string
}

// Service is one emulated AWS service registered with the core.
type Service struct {
	Name         string // signing name
	Protocol     Protocol
	TargetPrefix string  // JSON 1.1: e.g. "secretsmanager", "TrentService", "Logs_20140328"
	XMLNamespace string  // query: e.g. "https://iam.amazonaws.com/doc/2010-05-08/"
	Routes       []Route // REST JSON
	Ops          map[string]Handler
}

// Authorizer decides whether a role principal may perform an action.
// Implemented by the IAM side (policy evaluation); called by every
// service handler before acting, e.g.
//
//	if err := e.authz.Authorize(c.Caller, "secretsmanager:PutSecretValue", secretARN, map[string]string{...}); err != nil { return nil, err }
//
// For non-role callers it returns nil. A denial is an *APIError with code
// "AccessDeniedException" (JSON services) or "AccessDenied" (query).
type Authorizer interface {
	Authorize(p *Principal, action, resource string, conditionKeys map[string]string) error
}

// FunctionRuntime is what Secrets Manager needs from Lambda.
type FunctionRuntime interface {
	// CheckInvokePermission returns an AccessDeniedException-shaped
	// *APIError unless the function's resource policy lets principal
	// (a service principal such as "secretsmanager.amazonaws.com") invoke
	// it, with the policy's aws:SourceAccount / aws:SourceArn conditions
	// checked against sourceAccount / sourceArn.
	CheckInvokePermission(functionARN, principal, sourceAccount, sourceArn string) error
	// Invoke runs the function synchronously. functionError is "Unhandled"
	// (or the handler's error type) when the function failed; payload is
	// the response or error payload.
	Invoke(ctx context.Context, functionARN string, payload []byte) (result []byte, functionError string, err error)
}

// KeyChecker is what Secrets Manager needs from KMS: nil when the key
// exists and is enabled, else the *APIError AWS returns for reads and
// writes of a secret under that key (e.g. DisabledException / KMSInvalidStateException,
// NotFoundException).
type KeyChecker interface {
	CheckKeyUsable(keyIDOrARN string) error
}

// Credentials are temporary credentials issued for a role.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// RoleCredentials is what Lambda (and STS AssumeRole) need from IAM/STS:
// issue credentials bound to a role, and say whether the role can be
// assumed by a service principal right now (IAM propagation delay).
type RoleCredentials interface {
	IssueRoleCredentials(roleARN, sessionName string) (Credentials, error)
	// CheckAssumable returns nil when servicePrincipal may assume roleARN
	// now: the role exists, its trust policy allows the principal, and
	// the configured propagation delay since its last change has passed.
	CheckAssumable(roleARN, servicePrincipal string) error
}
