package awsemu

// sigv4.go authenticates requests. Every request must carry a SigV4
// Authorization header; its credential scope names the service the request
// is routed to. Access keys issued by the emulator (role credentials) are
// verified in full: signature, and the X-Amz-Security-Token. Any other
// access key (e.g. test/test) is the account's administrator.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// sigv4Auth is a parsed Authorization header.
type sigv4Auth struct {
	accessKeyID   string
	date          string // yyyymmdd of the scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// authFailure is a rejected authentication, rendered per protocol.
type authFailure struct {
	kind    string // missing, incomplete, signature, token, expired
	message string
}

func (f *authFailure) forProtocol(p Protocol) *APIError {
	switch f.kind {
	case "missing":
		if p == ProtocolQuery {
			return &APIError{Code: "MissingAuthenticationToken", Message: "Request is missing Authentication Token", HTTPStatus: 403}
		}
		status := 400
		if p == ProtocolRESTJSON {
			status = 403
		}
		return &APIError{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", HTTPStatus: status}
	case "incomplete":
		return &APIError{Code: "IncompleteSignature", Message: f.message, HTTPStatus: 400}
	case "signature":
		msg := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
		if p == ProtocolQuery {
			return &APIError{Code: "SignatureDoesNotMatch", Message: msg, HTTPStatus: 403}
		}
		return &APIError{Code: "InvalidSignatureException", Message: msg, HTTPStatus: 403}
	case "expired":
		if p == ProtocolQuery {
			return &APIError{Code: "ExpiredToken", Message: "The security token included in the request is expired", HTTPStatus: 403}
		}
		return &APIError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired", HTTPStatus: 403}
	default: // token
		if p == ProtocolQuery {
			return &APIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", HTTPStatus: 403}
		}
		return &APIError{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", HTTPStatus: 403}
	}
}

// parseSigV4 parses the Authorization header.
func parseSigV4(r *http.Request) (*sigv4Auth, *authFailure) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, &authFailure{kind: "missing"}
	}
	const algo = "AWS4-HMAC-SHA256"
	if !strings.HasPrefix(h, algo+" ") {
		return nil, &authFailure{kind: "incomplete", message: "Unsupported authorization scheme; only " + algo + " is accepted."}
	}
	a := &sigv4Auth{}
	for _, part := range strings.Split(strings.TrimPrefix(h, algo+" "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return nil, &authFailure{kind: "incomplete", message: "Credential should be scoped to a valid region, not '" + v + "'."}
			}
			a.accessKeyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	var missing []string
	if a.accessKeyID == "" {
		missing = append(missing, "Credential")
	}
	if len(a.signedHeaders) == 0 {
		missing = append(missing, "SignedHeaders")
	}
	if a.signature == "" {
		missing = append(missing, "Signature")
	}
	if r.Header.Get("X-Amz-Date") == "" && r.Header.Get("Date") == "" {
		missing = append(missing, "X-Amz-Date")
	}
	if len(missing) > 0 {
		return a, &authFailure{kind: "incomplete", message: "Authorization header requires " + strings.Join(missing, ", ") + " parameter(s). Authorization=" + h}
	}
	return a, nil
}

// authenticate resolves the caller. Emulator-issued keys must carry a
// valid signature and session token; other keys are the administrator.
func (s *Server) authenticate(r *http.Request, a *sigv4Auth, body []byte) (*Principal, *authFailure) {
	if s.keys != nil {
		if p, secret, ok := s.keys.LookupAccessKey(a.accessKeyID); ok {
			if !verifySignature(r, a, secret, body) {
				return nil, &authFailure{kind: "signature"}
			}
			if tc, ok := s.keys.(sessionTokenChecker); ok && !tc.CheckSessionToken(a.accessKeyID, r.Header.Get("X-Amz-Security-Token")) {
				return nil, &authFailure{kind: "token"}
			}
			if ex, ok := s.keys.(accessKeyExpiry); ok {
				if exp, ok := ex.AccessKeyExpiration(a.accessKeyID); ok && !s.now().Before(exp) {
					return nil, &authFailure{kind: "expired"}
				}
			}
			return p, nil
		}
	}
	if strings.HasPrefix(a.accessKeyID, "ASIA") {
		// Temporary credentials the emulator does not know (expired or
		// from another emulator run) are rejected as AWS rejects them.
		return nil, &authFailure{kind: "token"}
	}
	return &Principal{
		AccountID:   s.opts.AccountID,
		AccessKeyID: a.accessKeyID,
		ARN:         "arn:aws:iam::" + s.opts.AccountID + ":root",
	}, nil
}

// verifySignature recomputes the SigV4 signature of r with secret.
func verifySignature(r *http.Request, a *sigv4Auth, secret string, body []byte) bool {
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		amzDate = r.Header.Get("Date")
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		if h != payloadHash && h != "UNSIGNED-PAYLOAD" {
			return false // the body is not the one that was signed
		}
		payloadHash = h
	}
	scope := a.date + "/" + a.region + "/" + a.service + "/aws4_request"
	key := hmacSHA256([]byte("AWS4"+secret), a.date)
	key = hmacSHA256(key, a.region)
	key = hmacSHA256(key, a.service)
	key = hmacSHA256(key, "aws4_request")
	// Most SDKs escape the already-escaped path once more for services
	// other than S3; accept either form.
	for _, path := range []string{sigv4EscapePath(r.URL.EscapedPath()), r.URL.EscapedPath()} {
		if path == "" {
			path = "/"
		}
		canonical := strings.Join([]string{
			r.Method,
			path,
			sigv4CanonicalQuery(r.URL.RawQuery),
			sigv4CanonicalHeaders(r, a.signedHeaders),
			strings.Join(a.signedHeaders, ";"),
			payloadHash,
		}, "\n")
		sum := sha256.Sum256([]byte(canonical))
		toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
		want := hex.EncodeToString(hmacSHA256(key, toSign))
		if hmac.Equal([]byte(want), []byte(a.signature)) {
			return true
		}
	}
	return false
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// sigv4Escape percent-encodes everything but the unreserved characters
// (and '/' when keepSlash).
func sigv4Escape(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

func sigv4EscapePath(p string) string { return sigv4Escape(p, true) }

func sigv4CanonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	var pairs []string
	for k, vs := range vals {
		for _, v := range vs {
			pairs = append(pairs, sigv4Escape(k, false)+"="+sigv4Escape(v, false))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

func sigv4CanonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = append([]string(nil), r.Header.Values("Content-Length")...)
			if len(vals) == 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			vals = append([]string(nil), r.Header.Values(name)...)
		}
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(vals, ",") + "\n")
	}
	return b.String()
}
