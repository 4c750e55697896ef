package awsemu

// protocol.go decodes the operation of a request and renders results and
// errors for the three wire protocols: awsJson1_1 (Secrets Manager, KMS,
// CloudWatch Logs), restJson1 (Lambda) and the query protocol with XML
// responses (IAM, STS).

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// decodeOperation finds the operation a request names.
func decodeOperation(svc *Service, r *http.Request, body []byte) (op string, params map[string]string, form map[string][]string, err *APIError) {
	switch svc.Protocol {
	case ProtocolJSON11:
		target := r.Header.Get("X-Amz-Target")
		prefix, name, ok := strings.Cut(target, ".")
		if r.Method != http.MethodPost || !ok || prefix != svc.TargetPrefix || svc.Ops[name] == nil {
			return "", nil, nil, &APIError{Code: "UnknownOperationException", Message: "", HTTPStatus: 400}
		}
		return name, nil, nil, nil
	case ProtocolQuery:
		f, perr := parseForm(r, body)
		if perr != nil {
			return "", nil, nil, &APIError{Code: "MalformedQueryString", Message: perr.Error(), HTTPStatus: 400}
		}
		action := f.Get("Action")
		if action == "" {
			return "", nil, nil, &APIError{Code: "MissingAction", Message: "Missing Action", HTTPStatus: 400}
		}
		if svc.Ops[action] == nil {
			return "", nil, nil, &APIError{Code: "InvalidAction", Message: "Could not find operation " + action + " for version " + f.Get("Version"), HTTPStatus: 400}
		}
		return action, nil, f, nil
	case ProtocolRESTJSON:
		name, p, ok := matchRoute(svc.Routes, r.Method, r.URL.EscapedPath())
		if !ok || svc.Ops[name] == nil {
			return "", nil, nil, &APIError{Code: "UnknownOperationException", Message: "Unknown operation " + r.Method + " " + r.URL.Path, HTTPStatus: 404}
		}
		return name, p, r.URL.Query(), nil
	}
	return "", nil, nil, &APIError{Code: "InternalFailure", Message: "unknown protocol", HTTPStatus: 500}
}

// parseForm parses the query string and, for form-encoded POSTs, the body.
func parseForm(r *http.Request, body []byte) (url.Values, error) {
	out, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodPost && (ct == "" || strings.HasPrefix(ct, "application/x-www-form-urlencoded")) && len(body) > 0 {
		b, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, vs := range b {
			out[k] = append(out[k], vs...)
		}
	}
	return out, nil
}

// matchRoute matches an escaped request path against REST route patterns.
// A pattern segment "{Name}" captures one segment, "{Name+}" captures the
// rest of the path. When several routes match, the one with the most
// literal segments wins.
func matchRoute(routes []Route, method, escapedPath string) (string, map[string]string, bool) {
	path := strings.TrimSuffix(escapedPath, "/")
	segs := strings.Split(path, "/")
	best, bestScore := -1, -1
	var bestParams map[string]string
	for i, rt := range routes {
		if rt.Method != method {
			continue
		}
		params, score, ok := matchPattern(rt.Pattern, segs)
		if ok && score > bestScore {
			best, bestScore, bestParams = i, score, params
		}
	}
	if best < 0 {
		return "", nil, false
	}
	return routes[best].Operation, bestParams, true
}

// writeResult renders a successful result.
func writeResult(w http.ResponseWriter, p Protocol, ns, op, reqID string, v any) {
	if raw, ok := v.(*RawResponse); ok {
		for k, vs := range raw.Header {
			for _, x := range vs {
				w.Header().Add(k, x)
			}
		}
		w.Header().Set("X-Amzn-RequestId", reqID)
		status := raw.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = w.Write(raw.Body)
		return
	}
	switch p {
	case ProtocolQuery:
		var buf bytes.Buffer
		buf.WriteString(`<` + op + `Response xmlns="` + ns + `">`)
		if v != nil {
			enc := xml.NewEncoder(&buf)
			if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: op + "Result"}}); err != nil {
				writeError(w, p, ns, reqID, &APIError{Code: "InternalFailure", Message: "encode result: " + err.Error(), HTTPStatus: 500, Type: "Receiver"})
				return
			}
		}
		buf.WriteString(`<ResponseMetadata><RequestId>` + reqID + `</RequestId></ResponseMetadata></` + op + `Response>`)
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-RequestId", reqID)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
	default:
		body := []byte("{}")
		if v != nil {
			b, err := json.Marshal(v)
			if err != nil {
				writeError(w, p, ns, reqID, &APIError{Code: "InternalFailure", Message: "encode result: " + err.Error(), HTTPStatus: 500})
				return
			}
			body = b
		}
		if p == ProtocolJSON11 {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.Header().Set("X-Amzn-RequestId", reqID)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

// queryErrorResponse is the query protocol's error document.
type queryErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// writeError renders an error in the protocol's shape.
func writeError(w http.ResponseWriter, p Protocol, ns, reqID string, e *APIError) {
	status := e.HTTPStatus
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("X-Amzn-RequestId", reqID)
	switch p {
	case ProtocolQuery:
		typ := e.Type
		if typ == "" {
			typ = "Sender"
			if status >= 500 {
				typ = "Receiver"
			}
		}
		b, _ := xml.Marshal(queryErrorResponse{Xmlns: ns, Type: typ, Code: e.Code, Message: e.Message, RequestID: reqID})
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	case ProtocolRESTJSON:
		typ := "User"
		if status >= 500 {
			typ = "Service"
		}
		b, _ := json.Marshal(map[string]string{"Type": typ, "message": e.Message, "Message": e.Message})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	default:
		b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message, "Message": e.Message})
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

// matchPattern matches path segments against one pattern; score is the
// number of literal segments.
func matchPattern(pattern string, segs []string) (map[string]string, int, bool) {
	pattern, _, _ = strings.Cut(pattern, "?")
	psegs := strings.Split(strings.TrimSuffix(pattern, "/"), "/")
	params := map[string]string{}
	score := 0
	for j, ps := range psegs {
		if j >= len(segs) {
			return nil, 0, false
		}
		isParam := strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}")
		if isParam && strings.HasSuffix(ps, "+}") {
			v, err := url.PathUnescape(strings.Join(segs[j:], "/"))
			if err != nil || v == "" {
				return nil, 0, false
			}
			params[ps[1:len(ps)-2]] = v
			return params, score, true
		}
		if isParam {
			v, err := url.PathUnescape(segs[j])
			if err != nil || v == "" {
				return nil, 0, false
			}
			params[ps[1:len(ps)-1]] = v
			continue
		}
		if ps != segs[j] {
			return nil, 0, false
		}
		score++
	}
	if len(psegs) != len(segs) {
		return nil, 0, false
	}
	return params, score, true
}
