package awsemu

// validator.go lets a test see every API exchange (Options.Validator), so
// it can check the emulator against AWS's own API models
// (internal/awsemu/apimodel).

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
)

// Validator checks API exchanges. Check is called once per request whose
// operation the emulator recognised, after the response was written;
// it must be safe for concurrent use.
type Validator interface {
	Check(x *Exchange)
}

// Exchange is one request and the emulator's response to it.
type Exchange struct {
	Service   string // signing name: secretsmanager, kms, logs, lambda, iam, sts
	Operation string
	Protocol  Protocol
	// Request.
	Method      string
	Path        string // escaped
	Query       url.Values
	Header      http.Header
	RequestBody []byte
	// Form holds the query protocol's parameters (IAM, STS).
	Form url.Values
	// PathParams are the REST path labels the route matched (Lambda).
	PathParams map[string]string
	// Response.
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	// ErrorCode is the error answered ("" on success); Injected says it
	// came from fault injection, not from the operation.
	ErrorCode string
	Injected  bool
}

// recorder captures a response for the validator.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// responseErrorCode reads the error code of an error response.
func responseErrorCode(p Protocol, h http.Header, body []byte) string {
	if c := h.Get("X-Amzn-ErrorType"); c != "" {
		return c
	}
	if p == ProtocolQuery {
		var e queryErrorResponse
		if xml.Unmarshal(body, &e) == nil {
			return e.Code
		}
	}
	var j struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &j) == nil {
		return j.Type
	}
	return ""
}
