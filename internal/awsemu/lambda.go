package awsemu

// lambda.go is the Lambda backend's control plane (restJson1, 2015-03-31
// paths): functions, their resource policies and tags. Invocation, which
// runs the uploaded zip for real, lives in lambda_invoke.go and
// runtimeapi.go.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

var (
	_ FunctionRuntime = (*lambdaBackend)(nil)
	_ persistent      = (*lambdaBackend)(nil)
	_ closer          = (*lambdaBackend)(nil)
)

const (
	// lambdaMaxZipBytes is the largest direct-upload zip Lambda accepts.
	lambdaMaxZipBytes = 50 * 1024 * 1024
	// lambdaMaxUnzippedBytes is Lambda's limit on the unzipped code size.
	lambdaMaxUnzippedBytes = 262144000
	// lambdaMaxEnvBytes is the limit on the total size of environment variables.
	lambdaMaxEnvBytes = 4096
	// lambdaMaxPayloadBytes is the synchronous invocation payload limit.
	lambdaMaxPayloadBytes = 6 * 1024 * 1024
	lambdaTimeFormat      = "2006-01-02T15:04:05.000-0700"
)

// lambdaRuntimes are the runtimes the emulator can run (custom runtimes:
// the zip carries an executable bootstrap).
var lambdaRuntimes = map[string]bool{"provided.al2023": true, "provided.al2": true}

// lambdaReservedEnv are environment keys Lambda refuses to let users set.
var lambdaReservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

var (
	lambdaNameRE    = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	lambdaRoleRE    = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	lambdaEnvKeyRE  = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
	lambdaSidRE     = regexp.MustCompile(`^([a-zA-Z0-9-_.]+)$`)
	lambdaActionRE  = regexp.MustCompile(`^(lambda:[*]|lambda:[a-zA-Z]+|[*])$`)
	lambdaSubnetRE  = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	lambdaSecGrpRE  = regexp.MustCompile(`^sg-[0-9a-f]+$`)
	lambdaAccountRE = regexp.MustCompile(`^\d{12}$`)
)

type lambdaVpc struct {
	SubnetIDs        []string `json:"SubnetIds"`
	SecurityGroupIDs []string `json:"SecurityGroupIds"`
	VpcID            string   `json:"VpcId,omitempty"`
}

// lambdaStatement is one statement of a function's resource policy, in
// the shape and field order AWS renders it.
type lambdaStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// lambdaFunction is one stored function ($LATEST only: no versions or aliases).
type lambdaFunction struct {
	Name          string            `json:"name"`
	Runtime       string            `json:"runtime"`
	Role          string            `json:"role"`
	Handler       string            `json:"handler"`
	Description   string            `json:"description,omitempty"`
	Timeout       int               `json:"timeout"`
	MemorySize    int               `json:"memorySize"`
	Architectures []string          `json:"architectures"`
	Env           map[string]string `json:"env,omitempty"`
	Vpc           *lambdaVpc        `json:"vpc,omitempty"`
	Tags          map[string]string `json:"tags"`
	Zip           []byte            `json:"zip"`
	CodeSha256    string            `json:"codeSha256"`
	LastModified  time.Time         `json:"lastModified"`
	RevisionID    string            `json:"revisionId"`
	Policy        []lambdaStatement `json:"policy,omitempty"`
	LogGroup      string            `json:"logGroup,omitempty"`  // "" = /aws/lambda/NAME
	LogFormat     string            `json:"logFormat,omitempty"` // "" = Text
	// PolicyAdded is when (emulator clock) each statement of Policy was
	// added: a statement takes effect after the IAM propagation delay.
	PolicyAdded map[string]time.Time `json:"policyAdded,omitempty"`
	// Function state (lambda_states.go).
	Transition      string    `json:"transition,omitempty"`
	TransitionSince time.Time `json:"transitionSince,omitzero"`
	TransitionSeen  int       `json:"transitionSeen,omitempty"`
	LastUsed        time.Time `json:"lastUsed,omitzero"`
	Inactive        bool      `json:"inactive,omitempty"`
}

// lambdaLoggingIn is the LoggingConfig of create and update requests.
type lambdaLoggingIn struct {
	LogFormat string
	LogGroup  string
}

// logGroup is where the function's output goes.
func (fn *lambdaFunction) logGroup() string {
	if fn.LogGroup != "" {
		return fn.LogGroup
	}
	return "/aws/lambda/" + fn.Name
}

// lambdaCheckLogging validates a LoggingConfig. The emulator writes text
// lines whatever the format.
func lambdaCheckLogging(l *lambdaLoggingIn) error {
	if l == nil {
		return nil
	}
	if l.LogFormat != "" && l.LogFormat != "Text" && l.LogFormat != "JSON" {
		return lambdaValidation("Value '%s' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]", l.LogFormat)
	}
	if l.LogGroup != "" {
		if err := logsValidateGroupName(l.LogGroup); err != nil {
			return lambdaValidation("Value '%s' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", l.LogGroup)
		}
	}
	return nil
}

// lambdaBackend holds Lambda state and runs invocations.
type lambdaBackend struct {
	env   *Env
	authz Authorizer
	roles RoleCredentials
	logs  *logsBackend

	mu    sync.Mutex
	funcs map[string]*lambdaFunction

	unpackMu sync.Mutex
	unpacked map[string]*sync.Mutex // code sha (hex) -> lock guarding its unpack

	baseCtx context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

func newLambda(env *Env, authz Authorizer, roles RoleCredentials, logs *logsBackend) *lambdaBackend {
	ctx, cancel := context.WithCancel(context.Background())
	return &lambdaBackend{env: env, authz: authz, roles: roles, logs: logs, funcs: map[string]*lambdaFunction{},
		unpacked: map[string]*sync.Mutex{}, baseCtx: ctx, cancel: cancel}
}

// Service registers Lambda with the core.
func (b *lambdaBackend) Service() *Service {
	const f = "/2015-03-31/functions"
	return &Service{
		Name:     "lambda",
		Protocol: ProtocolRESTJSON,
		Routes: []Route{
			{Method: http.MethodPost, Pattern: f, Operation: "CreateFunction"},
			{Method: http.MethodGet, Pattern: f, Operation: "ListFunctions"},
			{Method: http.MethodGet, Pattern: f + "/{FunctionName}", Operation: "GetFunction"},
			{Method: http.MethodDelete, Pattern: f + "/{FunctionName}", Operation: "DeleteFunction"},
			{Method: http.MethodGet, Pattern: f + "/{FunctionName}/configuration", Operation: "GetFunctionConfiguration"},
			{Method: http.MethodPut, Pattern: f + "/{FunctionName}/configuration", Operation: "UpdateFunctionConfiguration"},
			{Method: http.MethodPut, Pattern: f + "/{FunctionName}/code", Operation: "UpdateFunctionCode"},
			{Method: http.MethodPost, Pattern: f + "/{FunctionName}/invocations", Operation: "Invoke"},
			{Method: http.MethodPost, Pattern: f + "/{FunctionName}/policy", Operation: "AddPermission"},
			{Method: http.MethodGet, Pattern: f + "/{FunctionName}/policy", Operation: "GetPolicy"},
			{Method: http.MethodDelete, Pattern: f + "/{FunctionName}/policy/{StatementId}", Operation: "RemovePermission"},
			{Method: http.MethodPost, Pattern: "/2017-03-31/tags/{ARN}", Operation: "TagResource"},
			{Method: http.MethodDelete, Pattern: "/2017-03-31/tags/{ARN}", Operation: "UntagResource"},
			{Method: http.MethodGet, Pattern: "/2017-03-31/tags/{ARN}", Operation: "ListTags"},
		},
		Ops: map[string]Handler{
			"CreateFunction":              b.createFunction,
			"ListFunctions":               b.listFunctions,
			"GetFunction":                 b.getFunction,
			"DeleteFunction":              b.deleteFunction,
			"GetFunctionConfiguration":    b.getFunctionConfiguration,
			"UpdateFunctionConfiguration": b.updateFunctionConfiguration,
			"UpdateFunctionCode":          b.updateFunctionCode,
			"Invoke":                      b.invoke,
			"AddPermission":               b.addPermission,
			"GetPolicy":                   b.getPolicy,
			"RemovePermission":            b.removePermission,
			"TagResource":                 b.tagResource,
			"UntagResource":               b.untagResource,
			"ListTags":                    b.listTags,
		},
	}
}

// ---- errors and helpers ----

func lambdaErr(code string, status int, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), HTTPStatus: status}
}

func lambdaInvalid(format string, args ...any) *APIError {
	return lambdaErr("InvalidParameterValueException", 400, format, args...)
}

func lambdaValidation(format string, args ...any) *APIError {
	return lambdaErr("ValidationException", 400, "1 validation error detected: "+format, args...)
}

func (b *lambdaBackend) functionARN(name string) string {
	return "arn:aws:lambda:" + b.env.Region + ":" + b.env.AccountID + ":function:" + name
}

func (b *lambdaBackend) notFound(name string) *APIError {
	return lambdaErr("ResourceNotFoundException", 404, "Function not found: %s", b.functionARN(name))
}

// resolveName turns a FunctionName parameter (name, full ARN or partial
// ARN, optionally qualified) into a function name. Only $LATEST exists.
func (b *lambdaBackend) resolveName(ref, qualifier string) (string, error) {
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.Split(ref, ":")
		if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" {
			return "", lambdaValidation("Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", ref)
		}
		if parts[3] != b.env.Region || parts[4] != b.env.AccountID {
			return "", lambdaErr("ResourceNotFoundException", 404, "Function not found: %s", ref)
		}
		name = parts[6]
		if len(parts) > 7 {
			if qualifier != "" && qualifier != parts[7] {
				return "", lambdaInvalid("The derived qualifier from the function name does not match the specified qualifier.")
			}
			qualifier = parts[7]
		}
	} else if acct, rest, ok := strings.Cut(ref, ":function:"); ok && lambdaAccountRE.MatchString(acct) {
		if acct != b.env.AccountID {
			return "", lambdaErr("ResourceNotFoundException", 404, "Function not found: %s", ref)
		}
		name = rest
		if n, q, ok := strings.Cut(rest, ":"); ok {
			name, qualifier = n, q
		}
	} else if n, q, ok := strings.Cut(ref, ":"); ok {
		name, qualifier = n, q
	}
	if !lambdaNameRE.MatchString(name) {
		return "", lambdaValidation("Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", ref)
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return "", lambdaErr("ResourceNotFoundException", 404, "Function not found: %s:%s", b.functionARN(name), qualifier)
	}
	return name, nil
}

// lookup returns the function named by the call's FunctionName after
// authorising action on it (as AWS does, before saying whether it
// exists); b.mu must be held.
func (b *lambdaBackend) lookup(c *Call, action string) (*lambdaFunction, error) {
	name, err := b.resolveName(c.Params["FunctionName"], lambdaQuery(c, "Qualifier"))
	if err != nil {
		return nil, err
	}
	if err := b.authz.Authorize(c.Caller, action, b.functionARN(name), nil); err != nil {
		return nil, err
	}
	fn, ok := b.funcs[name]
	if !ok {
		return nil, b.notFound(name)
	}
	return fn, nil
}

func lambdaQuery(c *Call, name string) string {
	if c.HTTP != nil {
		return c.HTTP.URL.Query().Get(name)
	}
	if v := c.Form[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func lambdaDecode(c *Call, v any) error {
	if len(bytes.TrimSpace(c.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return lambdaInvalid("Could not parse request body into json: %s", strings.SplitN(err.Error(), "\n", 2)[0])
	}
	return nil
}

func lambdaJSON(status int, v any) (*RawResponse, error) {
	body := []byte{}
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	return &RawResponse{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}, nil
}

// roleName returns the last path segment of a role ARN.
func lambdaRoleName(roleARN string) string {
	return roleARN[strings.LastIndex(roleARN, "/")+1:]
}

// ---- validation shared by create and update ----

// checkZip validates a deployment package and returns its CodeSha256.
func lambdaCheckZip(zipBytes []byte) (string, error) {
	if len(zipBytes) > lambdaMaxZipBytes {
		return "", lambdaErr("RequestEntityTooLargeException", 413, "Request must be smaller than 69905067 bytes for the CreateFunction operation")
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return "", lambdaInvalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > lambdaMaxUnzippedBytes {
		return "", lambdaInvalid("Unzipped size must be smaller than %d bytes", lambdaMaxUnzippedBytes)
	}
	sum := sha256.Sum256(zipBytes)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

func lambdaCheckArchitectures(a []string) ([]string, error) {
	if len(a) == 0 {
		return []string{"x86_64"}, nil
	}
	if len(a) > 1 {
		return nil, lambdaValidation("Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1", strings.Join(a, ", "))
	}
	if a[0] != "x86_64" && a[0] != "arm64" {
		return nil, lambdaValidation("Value '[%s]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]", a[0])
	}
	return []string{a[0]}, nil
}

func lambdaCheckEnv(vars map[string]string) error {
	var reserved []string
	size := 0
	for k, v := range vars {
		if !lambdaEnvKeyRE.MatchString(k) {
			return lambdaValidation("Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
		if lambdaReservedEnv[k] {
			reserved = append(reserved, k)
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return lambdaInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ","))
	}
	if size > lambdaMaxEnvBytes {
		// AWS quotes the measured string here; it may hold secrets, so the emulator does not.
		return lambdaInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.")
	}
	return nil
}

func lambdaCheckNumbers(timeout, memory *int) error {
	if timeout != nil && (*timeout < 1 || *timeout > 900) {
		if *timeout < 1 {
			return lambdaValidation("Value '%d' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1", *timeout)
		}
		return lambdaValidation("Value '%d' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900", *timeout)
	}
	if memory != nil && (*memory < 128 || *memory > 10240) {
		if *memory < 128 {
			return lambdaValidation("Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128", *memory)
		}
		return lambdaValidation("Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240", *memory)
	}
	return nil
}

// checkRole validates the execution role: its ARN, that the caller may
// pass it, and that Lambda can assume it.
func (b *lambdaBackend) checkRole(c *Call, role string) error {
	if !lambdaRoleRE.MatchString(role) {
		return lambdaValidation("Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", role)
	}
	if err := b.authz.Authorize(c.Caller, "iam:PassRole", role, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}); err != nil {
		return err
	}
	return b.roles.CheckAssumable(role, "lambda.amazonaws.com")
}

// checkVpc validates a VpcConfig and, as Lambda does, that the execution
// role may manage network interfaces. It returns nil for an empty config.
func (b *lambdaBackend) checkVpc(v *lambdaVpc, role, fnName string) (*lambdaVpc, error) {
	if v == nil || len(v.SubnetIDs) == 0 && len(v.SecurityGroupIDs) == 0 {
		return nil, nil
	}
	if len(v.SubnetIDs) > 16 || len(v.SecurityGroupIDs) > 5 {
		return nil, lambdaValidation("Value at 'vpcConfig' failed to satisfy constraint: Member must have length less than or equal to 16")
	}
	for _, s := range v.SubnetIDs {
		if !lambdaSubnetRE.MatchString(s) {
			return nil, lambdaInvalid("Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '%s' does not exist", s)
		}
	}
	for _, s := range v.SecurityGroupIDs {
		if !lambdaSecGrpRE.MatchString(s) {
			return nil, lambdaInvalid("Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '%s' does not exist", s)
		}
	}
	if len(v.SubnetIDs) == 0 || len(v.SecurityGroupIDs) == 0 {
		return nil, lambdaInvalid("SubnetIds and SecurityIds must coexist or be both empty list.")
	}
	p := b.rolePrincipal(role, fnName)
	for _, action := range []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"} {
		if b.authz.Authorize(p, action, "*", nil) != nil {
			return nil, lambdaInvalid("The provided execution role does not have permissions to call %s on EC2", strings.TrimPrefix(action, "ec2:"))
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(v.SubnetIDs, ",")))
	return &lambdaVpc{SubnetIDs: append([]string{}, v.SubnetIDs...), SecurityGroupIDs: append([]string{}, v.SecurityGroupIDs...), VpcID: fmt.Sprintf("vpc-%x", sum[:8])}, nil
}

// rolePrincipal is the principal of the function's role session.
func (b *lambdaBackend) rolePrincipal(roleARN, fnName string) *Principal {
	rn := lambdaRoleName(roleARN)
	return &Principal{AccountID: b.env.AccountID, RoleName: rn, ARN: "arn:aws:sts::" + b.env.AccountID + ":assumed-role/" + rn + "/" + fnName}
}

// ---- output shapes ----

type lambdaConfigOut struct {
	FunctionName     string             `json:"FunctionName"`
	FunctionArn      string             `json:"FunctionArn"`
	Runtime          string             `json:"Runtime"`
	Role             string             `json:"Role"`
	Handler          string             `json:"Handler"`
	CodeSize         int                `json:"CodeSize"`
	Description      string             `json:"Description"`
	Timeout          int                `json:"Timeout"`
	MemorySize       int                `json:"MemorySize"`
	LastModified     string             `json:"LastModified"`
	CodeSha256       string             `json:"CodeSha256"`
	Version          string             `json:"Version"`
	VpcConfig        *lambdaVpc         `json:"VpcConfig,omitempty"`
	Environment      *lambdaEnvironment `json:"Environment,omitempty"`
	TracingConfig    map[string]string  `json:"TracingConfig"`
	RevisionID       string             `json:"RevisionId"`
	State            string             `json:"State"`
	StateReason      string             `json:"StateReason,omitempty"`
	StateReasonCode  string             `json:"StateReasonCode,omitempty"`
	LastUpdateStatus string             `json:"LastUpdateStatus"`
	// LastUpdateStatusReason is set while an update is in progress.
	LastUpdateStatusReason string            `json:"LastUpdateStatusReason,omitempty"`
	PackageType            string            `json:"PackageType"`
	Architectures          []string          `json:"Architectures"`
	EphemeralStorage       map[string]int    `json:"EphemeralStorage"`
	LoggingConfig          map[string]string `json:"LoggingConfig"`
	SnapStart              map[string]string `json:"SnapStart"`
}

type lambdaEnvironment struct {
	Variables map[string]string `json:"Variables"`
}

func (b *lambdaBackend) config(fn *lambdaFunction) lambdaConfigOut {
	out := lambdaConfigOut{
		FunctionName: fn.Name, FunctionArn: b.functionARN(fn.Name), Runtime: fn.Runtime, Role: fn.Role,
		Handler: fn.Handler, CodeSize: len(fn.Zip), Description: fn.Description, Timeout: fn.Timeout,
		MemorySize: fn.MemorySize, LastModified: fn.LastModified.UTC().Format(lambdaTimeFormat),
		CodeSha256: fn.CodeSha256, Version: "$LATEST", TracingConfig: map[string]string{"Mode": "PassThrough"},
		RevisionID: fn.RevisionID, PackageType: "Zip",
		Architectures: append([]string{}, fn.Architectures...), EphemeralStorage: map[string]int{"Size": 512},
		LoggingConfig: map[string]string{"LogFormat": lambdaOr(fn.LogFormat, "Text"), "LogGroup": fn.logGroup()},
		SnapStart:     map[string]string{"ApplyOn": "None", "OptimizationStatus": "Off"},
	}
	b.applyState(fn, &out)
	if fn.Vpc != nil {
		v := *fn.Vpc
		out.VpcConfig = &v
	}
	if len(fn.Env) > 0 {
		out.Environment = &lambdaEnvironment{Variables: map[string]string{}}
		for k, v := range fn.Env {
			out.Environment.Variables[k] = v
		}
	}
	return out
}

// ---- functions ----

type lambdaCreateIn struct {
	FunctionName  string
	Runtime       string
	Role          string
	Handler       string
	Description   string
	Timeout       *int
	MemorySize    *int
	Architectures []string
	PackageType   string
	Publish       bool
	Code          struct {
		ZipFile  []byte
		S3Bucket string
		ImageURI string `json:"ImageUri"`
	}
	Environment   *lambdaEnvironment
	VpcConfig     *lambdaVpc
	Tags          map[string]string
	LoggingConfig *lambdaLoggingIn
}

func lambdaOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (b *lambdaBackend) createFunction(c *Call) (any, error) {
	var in lambdaCreateIn
	if err := lambdaDecode(c, &in); err != nil {
		return nil, err
	}
	if !lambdaNameRE.MatchString(in.FunctionName) {
		return nil, lambdaValidation("Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?", in.FunctionName)
	}
	if err := b.authz.Authorize(c.Caller, "lambda:CreateFunction", b.functionARN(in.FunctionName), nil); err != nil {
		return nil, err
	}
	if in.PackageType == "Image" || in.Code.ImageURI != "" {
		return nil, lambdaInvalid("The emulator runs Zip packages only; container images are not supported.")
	}
	if in.Code.S3Bucket != "" {
		return nil, lambdaInvalid("The emulator has no S3; upload the package as Code.ZipFile.")
	}
	if len(in.Code.ZipFile) == 0 {
		return nil, lambdaInvalid("Please provide a source for function code.")
	}
	if in.Runtime == "" {
		return nil, lambdaInvalid("Runtime must be provided for Zip package type")
	}
	if !lambdaRuntimes[in.Runtime] {
		return nil, lambdaInvalid("Value %s at 'runtime' is not supported by the emulator: use provided.al2023 or provided.al2 (an executable bootstrap in the zip).", in.Runtime)
	}
	if in.Handler == "" {
		// AWS answers a ValidationException (with an empty message) here.
		return nil, lambdaErr("ValidationException", 400, "Handler is required when the package type is Zip.")
	}
	if in.Timeout == nil {
		t := 3
		in.Timeout = &t
	}
	if in.MemorySize == nil {
		m := 128
		in.MemorySize = &m
	}
	if err := lambdaCheckNumbers(in.Timeout, in.MemorySize); err != nil {
		return nil, err
	}
	arch, err := lambdaCheckArchitectures(in.Architectures)
	if err != nil {
		return nil, err
	}
	var vars map[string]string
	if in.Environment != nil {
		vars = in.Environment.Variables
	}
	if err := lambdaCheckEnv(vars); err != nil {
		return nil, err
	}
	if len(in.Tags) > 50 {
		return nil, lambdaInvalid("Number of tags exceeds resource tag limit.")
	}
	if err := lambdaCheckLogging(in.LoggingConfig); err != nil {
		return nil, err
	}
	sha, err := lambdaCheckZip(in.Code.ZipFile)
	if err != nil {
		return nil, err
	}
	if err := b.checkRole(c, in.Role); err != nil {
		return nil, err
	}
	vpc, err := b.checkVpc(in.VpcConfig, in.Role, in.FunctionName)
	if err != nil {
		return nil, err
	}
	fn := &lambdaFunction{
		Name: in.FunctionName, Runtime: in.Runtime, Role: in.Role, Handler: in.Handler,
		Description: in.Description, Timeout: *in.Timeout, MemorySize: *in.MemorySize,
		Architectures: arch, Env: lambdaCopyMap(vars), Vpc: vpc, Tags: lambdaCopyMap(in.Tags),
		Zip: in.Code.ZipFile, CodeSha256: sha, LastModified: b.env.Now(), RevisionID: emuUUID(),
	}
	if in.LoggingConfig != nil {
		fn.LogGroup, fn.LogFormat = in.LoggingConfig.LogGroup, in.LoggingConfig.LogFormat
	}
	if fn.Tags == nil {
		fn.Tags = map[string]string{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.funcs[fn.Name]; ok {
		return nil, lambdaErr("ResourceConflictException", 409, "Function already exist: %s", fn.Name)
	}
	b.funcs[fn.Name] = fn
	b.begin(fn, lambdaCreating, c.Now)
	return lambdaJSON(http.StatusCreated, b.config(fn))
}

func lambdaCopyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (b *lambdaBackend) listFunctions(c *Call) (any, error) {
	if err := b.authz.Authorize(c.Caller, "lambda:ListFunctions", "*", nil); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := struct {
		Functions []lambdaConfigOut `json:"Functions"`
	}{Functions: []lambdaConfigOut{}}
	for _, n := range policySortedKeys(b.funcs) {
		b.settle(b.funcs[n], c.Now)
		out.Functions = append(out.Functions, b.config(b.funcs[n]))
	}
	return out, nil
}

func (b *lambdaBackend) getFunction(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:GetFunction")
	if err != nil {
		return nil, err
	}
	b.settle(fn, c.Now)
	defer b.observe(fn, c.Now)
	out := struct {
		Configuration lambdaConfigOut   `json:"Configuration"`
		Code          map[string]string `json:"Code"`
		Tags          map[string]string `json:"Tags,omitempty"`
	}{Configuration: b.config(fn), Code: map[string]string{"RepositoryType": "S3"}, Tags: lambdaCopyMap(fn.Tags)}
	return out, nil
}

func (b *lambdaBackend) getFunctionConfiguration(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:GetFunctionConfiguration")
	if err != nil {
		return nil, err
	}
	b.settle(fn, c.Now)
	defer b.observe(fn, c.Now)
	return b.config(fn), nil
}

func (b *lambdaBackend) deleteFunction(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:DeleteFunction")
	if err != nil {
		return nil, err
	}
	delete(b.funcs, fn.Name)
	return lambdaJSON(http.StatusNoContent, nil)
}

// checkRevision implements the optional RevisionId precondition.
func lambdaCheckRevision(fn *lambdaFunction, rev string) error {
	if rev != "" && rev != fn.RevisionID {
		return lambdaErr("PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	}
	return nil
}

func (b *lambdaBackend) updateFunctionCode(c *Call) (any, error) {
	var in struct {
		ZipFile       []byte
		S3Bucket      string
		ImageURI      string `json:"ImageUri"`
		Architectures []string
		RevisionID    string `json:"RevisionId"`
		DryRun        bool
		Publish       bool
	}
	if err := lambdaDecode(c, &in); err != nil {
		return nil, err
	}
	if in.S3Bucket != "" || in.ImageURI != "" {
		return nil, lambdaInvalid("The emulator takes ZipFile uploads only.")
	}
	if len(in.ZipFile) == 0 {
		return nil, lambdaInvalid("Please provide a source for function code.")
	}
	sha, err := lambdaCheckZip(in.ZipFile)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:UpdateFunctionCode")
	if err != nil {
		return nil, err
	}
	if err := b.checkState(fn, lambdaOpWrite, c.Now); err != nil {
		return nil, err
	}
	if err := lambdaCheckRevision(fn, in.RevisionID); err != nil {
		return nil, err
	}
	arch := fn.Architectures
	if in.Architectures != nil {
		if arch, err = lambdaCheckArchitectures(in.Architectures); err != nil {
			return nil, err
		}
	}
	if in.DryRun {
		cp := *fn
		cp.Zip, cp.CodeSha256, cp.Architectures = in.ZipFile, sha, arch
		return b.config(&cp), nil
	}
	fn.Zip, fn.CodeSha256, fn.Architectures = in.ZipFile, sha, arch
	fn.LastModified, fn.RevisionID = b.env.Now(), emuUUID()
	b.begin(fn, lambdaInProgress, c.Now)
	return b.config(fn), nil
}

func (b *lambdaBackend) updateFunctionConfiguration(c *Call) (any, error) {
	var in struct {
		Role          *string
		Handler       *string
		Description   *string
		Timeout       *int
		MemorySize    *int
		Runtime       *string
		Environment   *lambdaEnvironment
		VpcConfig     *lambdaVpc
		RevisionID    string `json:"RevisionId"`
		LoggingConfig *lambdaLoggingIn
	}
	if err := lambdaDecode(c, &in); err != nil {
		return nil, err
	}
	if err := lambdaCheckNumbers(in.Timeout, in.MemorySize); err != nil {
		return nil, err
	}
	if in.Runtime != nil && !lambdaRuntimes[*in.Runtime] {
		return nil, lambdaInvalid("Value %s at 'runtime' is not supported by the emulator: use provided.al2023 or provided.al2 (an executable bootstrap in the zip).", *in.Runtime)
	}
	if in.Environment != nil {
		if err := lambdaCheckEnv(in.Environment.Variables); err != nil {
			return nil, err
		}
	}
	if err := lambdaCheckLogging(in.LoggingConfig); err != nil {
		return nil, err
	}
	b.mu.Lock()
	fn, err := b.lookup(c, "lambda:UpdateFunctionConfiguration")
	var name, role string
	if err == nil {
		name, role = fn.Name, fn.Role
	}
	if err == nil {
		err = b.checkState(fn, lambdaOpWrite, c.Now)
	}
	if err == nil {
		err = lambdaCheckRevision(fn, in.RevisionID)
	}
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	// The role checks call IAM; do them without holding b.mu.
	if in.Role != nil {
		role = *in.Role
		if err := b.checkRole(c, role); err != nil {
			return nil, err
		}
	}
	var vpc *lambdaVpc
	if in.VpcConfig != nil {
		if vpc, err = b.checkVpc(in.VpcConfig, role, name); err != nil {
			return nil, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, ok := b.funcs[name]
	if !ok {
		return nil, b.notFound(name)
	}
	// Another call may have started an update while the role was checked.
	if err := b.checkState(fn, lambdaOpWrite, c.Now); err != nil {
		return nil, err
	}
	if in.Role != nil {
		fn.Role = *in.Role
	}
	if in.Handler != nil {
		fn.Handler = *in.Handler
	}
	if in.Description != nil {
		fn.Description = *in.Description
	}
	if in.Timeout != nil {
		fn.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		fn.MemorySize = *in.MemorySize
	}
	if in.Runtime != nil {
		fn.Runtime = *in.Runtime
	}
	if in.Environment != nil {
		fn.Env = lambdaCopyMap(in.Environment.Variables)
	}
	if in.VpcConfig != nil {
		fn.Vpc = vpc
	}
	if l := in.LoggingConfig; l != nil {
		if l.LogGroup != "" {
			fn.LogGroup = l.LogGroup
		}
		if l.LogFormat != "" {
			fn.LogFormat = l.LogFormat
		}
	}
	fn.LastModified, fn.RevisionID = b.env.Now(), emuUUID()
	b.begin(fn, lambdaInProgress, c.Now)
	return b.config(fn), nil
}

// ---- resource policy ----

// lambdaPrincipal renders an AddPermission principal as AWS stores it.
func (b *lambdaBackend) lambdaPrincipal(p string) any {
	switch {
	case p == "*":
		return "*"
	case lambdaAccountRE.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}
	}
	return map[string]string{"Service": p}
}

func (b *lambdaBackend) addPermission(c *Call) (any, error) {
	var in struct {
		StatementID      string `json:"StatementId"`
		Action           string
		Principal        string
		SourceArn        string
		SourceAccount    string
		EventSourceToken string
		PrincipalOrgID   string `json:"PrincipalOrgID"`
		RevisionID       string `json:"RevisionId"`
	}
	if err := lambdaDecode(c, &in); err != nil {
		return nil, err
	}
	if !lambdaSidRE.MatchString(in.StatementID) || len(in.StatementID) > 100 {
		return nil, lambdaValidation("Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)", in.StatementID)
	}
	if !lambdaActionRE.MatchString(in.Action) {
		return nil, lambdaValidation("Value '%s' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])", in.Action)
	}
	if in.Principal == "" || strings.ContainsAny(in.Principal, " \t\n") {
		return nil, lambdaValidation("Value '%s' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+", in.Principal)
	}
	if in.SourceAccount != "" && !lambdaAccountRE.MatchString(in.SourceAccount) {
		return nil, lambdaValidation("Value '%s' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$", in.SourceAccount)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:AddPermission")
	if err != nil {
		return nil, err
	}
	if err := b.checkState(fn, lambdaOpWrite, c.Now); err != nil {
		return nil, err
	}
	if err := lambdaCheckRevision(fn, in.RevisionID); err != nil {
		return nil, err
	}
	for _, st := range fn.Policy {
		if st.Sid == in.StatementID {
			return nil, lambdaErr("ResourceConflictException", 409, "The statement id (%s) provided already exists. Please specify a new statement id, or remove the existing statement.", in.StatementID)
		}
	}
	st := lambdaStatement{
		Sid: in.StatementID, Effect: "Allow", Principal: b.lambdaPrincipal(in.Principal),
		Action: in.Action, Resource: b.functionARN(fn.Name),
	}
	cond := map[string]map[string]string{}
	if in.SourceAccount != "" {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": in.SourceAccount}
	}
	if in.PrincipalOrgID != "" {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["aws:PrincipalOrgID"] = in.PrincipalOrgID
	}
	if in.EventSourceToken != "" {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["lambda:EventSourceToken"] = in.EventSourceToken
	}
	if in.SourceArn != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	fn.Policy = append(fn.Policy, st)
	if fn.PolicyAdded == nil {
		fn.PolicyAdded = map[string]time.Time{}
	}
	fn.PolicyAdded[st.Sid] = c.Now
	fn.RevisionID = emuUUID()
	stJSON, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return lambdaJSON(http.StatusCreated, map[string]string{"Statement": string(stJSON)})
}

// policyJSON renders the function's resource policy document; b.mu held.
func (b *lambdaBackend) policyJSON(fn *lambdaFunction) string {
	doc := struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id"`
		Statement []lambdaStatement `json:"Statement"`
	}{Version: "2012-10-17", ID: "default", Statement: fn.Policy}
	out, _ := json.Marshal(doc)
	return string(out)
}

// propagatedPolicyJSON renders the statements of the function's resource
// policy that have propagated (IAM eventual consistency: a statement is
// seen by the services it names only after the IAM propagation delay),
// or "" when none has; b.mu held.
func (b *lambdaBackend) propagatedPolicyJSON(fn *lambdaFunction) string {
	now, delay := b.env.Now(), time.Duration(0)
	if b.env.IAMPropagationDelay != nil {
		delay = b.env.IAMPropagationDelay()
	}
	cp := *fn
	cp.Policy = nil
	for _, st := range fn.Policy {
		if at, ok := fn.PolicyAdded[st.Sid]; !ok || !now.Before(at.Add(delay)) {
			cp.Policy = append(cp.Policy, st)
		}
	}
	if len(cp.Policy) == 0 {
		return ""
	}
	return b.policyJSON(&cp)
}

func (b *lambdaBackend) getPolicy(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.lookup(c, "lambda:GetPolicy")
	if err != nil {
		return nil, err
	}
	if len(fn.Policy) == 0 {
		return nil, lambdaErr("ResourceNotFoundException", 404, "The resource you requested does not exist.")
	}
	return map[string]string{"Policy": b.policyJSON(fn), "RevisionId": fn.RevisionID}, nil
}

func (b *lambdaBackend) removePermission(c *Call) (any, error) {
	sid := c.Params["StatementId"]
	b.mu.Lock()
	defer b.mu.Unlock()
	// RemovePermission declares no ResourceConflictException in AWS's API
	// model: the function's state does not refuse it.
	fn, err := b.lookup(c, "lambda:RemovePermission")
	if err != nil {
		return nil, err
	}
	if err := lambdaCheckRevision(fn, lambdaQuery(c, "RevisionId")); err != nil {
		return nil, err
	}
	if len(fn.Policy) == 0 {
		return nil, lambdaErr("ResourceNotFoundException", 404, "No policy is associated with the given resource.")
	}
	for i, st := range fn.Policy {
		if st.Sid == sid {
			fn.Policy = append(fn.Policy[:i], fn.Policy[i+1:]...)
			fn.RevisionID = emuUUID()
			return lambdaJSON(http.StatusNoContent, nil)
		}
	}
	return nil, lambdaErr("ResourceNotFoundException", 404, "Statement %s is not found in resource policy.", sid)
}

// CheckInvokePermission implements FunctionRuntime: the function's
// resource policy must let principal invoke it, its conditions evaluated
// against sourceAccount and sourceArn.
func (b *lambdaBackend) CheckInvokePermission(functionARN, principal, sourceAccount, sourceArn string) error {
	denied := &APIError{Code: "AccessDeniedException", HTTPStatus: 400,
		Message: "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal " + principal + "."}
	name, err := b.resolveName(functionARN, "")
	if err != nil {
		return denied
	}
	b.mu.Lock()
	fn, ok := b.funcs[name]
	var doc string
	if ok && len(fn.Policy) > 0 {
		doc = b.propagatedPolicyJSON(fn)
	}
	b.mu.Unlock()
	if doc == "" {
		return denied
	}
	pd, err := parsePolicy(doc, policyResource)
	if err != nil {
		return denied
	}
	keys := map[string]string{}
	if sourceAccount != "" {
		keys["aws:SourceAccount"] = sourceAccount
	}
	if sourceArn != "" {
		keys["aws:SourceArn"] = sourceArn
	}
	if evaluateResource(pd, "Service", principal, "lambda:InvokeFunction", b.functionARN(name), keys) != policyAllow {
		return denied
	}
	return nil
}

// ---- tags ----

// tagTarget resolves the {ARN} of a tagging call after authorising
// action on it; b.mu must be held.
func (b *lambdaBackend) tagTarget(c *Call, action string) (*lambdaFunction, error) {
	arn := c.Params["ARN"]
	prefix := "arn:aws:lambda:" + b.env.Region + ":" + b.env.AccountID + ":function:"
	if !strings.HasPrefix(arn, prefix) {
		return nil, lambdaInvalid("Invalid ARN: %s", arn)
	}
	if err := b.authz.Authorize(c.Caller, action, arn, nil); err != nil {
		return nil, err
	}
	name := arn[len(prefix):]
	fn, ok := b.funcs[name]
	if !ok {
		return nil, b.notFound(name)
	}
	return fn, nil
}

func (b *lambdaBackend) tagResource(c *Call) (any, error) {
	var in struct{ Tags map[string]string }
	if err := lambdaDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.tagTarget(c, "lambda:TagResource")
	if err != nil {
		return nil, err
	}
	if err := b.checkState(fn, lambdaOpWrite, c.Now); err != nil {
		return nil, err
	}
	n := len(fn.Tags)
	for k := range in.Tags {
		if _, ok := fn.Tags[k]; !ok {
			n++
		}
	}
	if n > 50 {
		return nil, lambdaInvalid("Number of tags exceeds resource tag limit.")
	}
	for k, v := range in.Tags {
		fn.Tags[k] = v
	}
	return lambdaJSON(http.StatusNoContent, nil)
}

func (b *lambdaBackend) untagResource(c *Call) (any, error) {
	keys := c.HTTP.URL.Query()["tagKeys"]
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.tagTarget(c, "lambda:UntagResource")
	if err != nil {
		return nil, err
	}
	if err := b.checkState(fn, lambdaOpWrite, c.Now); err != nil {
		return nil, err
	}
	for _, k := range keys {
		delete(fn.Tags, k)
	}
	return lambdaJSON(http.StatusNoContent, nil)
}

func (b *lambdaBackend) listTags(c *Call) (any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, err := b.tagTarget(c, "lambda:ListTags")
	if err != nil {
		return nil, err
	}
	return map[string]map[string]string{"Tags": lambdaCopyMap(fn.Tags)}, nil
}

// ---- persistence and shutdown ----

func (b *lambdaBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(b.funcs)
}

func (b *lambdaBackend) restore(data []byte) error {
	funcs := map[string]*lambdaFunction{}
	if err := json.Unmarshal(data, &funcs); err != nil {
		return fmt.Errorf("lambda snapshot: %w", err)
	}
	for _, fn := range funcs {
		if fn.Tags == nil {
			fn.Tags = map[string]string{}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.funcs = funcs
	return nil
}

// close kills running invocations and waits for them to finish.
func (b *lambdaBackend) close() error {
	b.cancel()
	b.running.Wait()
	return nil
}
