package awsemu

// runtimeapi.go serves the Lambda Runtime API (2018-06-01) for one
// invocation on its own loopback listener: the function's bootstrap asks
// for the next event, then posts its response or error.

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// runtimeInvocation is the state of one invocation shared by the Runtime
// API handlers and the process supervisor.
type runtimeInvocation struct {
	requestID   string
	functionARN string
	payload     []byte
	timeout     time.Duration // the function's timeout, counted from event delivery

	mu        sync.Mutex
	deadline  time.Time     // set when the event is delivered
	started   chan struct{} // closed when the event is delivered (init is over)
	delivered bool
	firstNext time.Time     // when the runtime first asked for an event (end of init)
	finished  bool          // a response or error was posted
	result    []byte        // response payload, or error payload
	errType   string        // "" on success, else the function error ("Unhandled")
	done      chan struct{} // closed when finished
	idle      chan struct{} // closed when the runtime asks for another event after finishing
	idleOnce  sync.Once
}

func newRuntimeInvocation(requestID, functionARN string, payload []byte, timeout time.Duration) *runtimeInvocation {
	return &runtimeInvocation{requestID: requestID, functionARN: functionARN, payload: payload, timeout: timeout,
		started: make(chan struct{}), done: make(chan struct{}), idle: make(chan struct{})}
}

// invokeDeadline is when the invocation times out (valid once started is closed).
func (inv *runtimeInvocation) invokeDeadline() time.Time {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.deadline
}

// finish records the outcome once; later posts are refused.
func (inv *runtimeInvocation) finish(result []byte, errType string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.finished {
		return false
	}
	inv.finished, inv.result, inv.errType = true, result, errType
	close(inv.done)
	return true
}

// outcome returns the recorded result (valid once done is closed).
func (inv *runtimeInvocation) outcome() ([]byte, string) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.result, inv.errType
}

func runtimeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": typ})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func runtimeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// errorPayload normalises a posted error body to {"errorMessage","errorType",…}.
func runtimeErrorPayload(body []byte, headerType, fallbackType string) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) == nil && m != nil {
		if _, ok := m["errorType"]; !ok {
			t := headerType
			if t == "" {
				t = fallbackType
			}
			m["errorType"] = t
		}
		out, _ := json.Marshal(m)
		return out
	}
	t := headerType
	if t == "" {
		t = fallbackType
	}
	out, _ := json.Marshal(map[string]string{"errorMessage": strings.TrimSpace(string(body)), "errorType": t})
	return out
}

// ServeHTTP implements the Runtime API.
func (inv *runtimeInvocation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(r.URL.Path, prefix)
	if path == r.URL.Path {
		runtimeAPIError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		inv.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		body, _ := io.ReadAll(io.LimitReader(r.Body, lambdaMaxPayloadBytes))
		if !inv.finish(runtimeErrorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"), "Runtime.InitError"), "Unhandled") {
			runtimeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "State transition from Ready to InitError failed for runtime")
			return
		}
		runtimeAccepted(w)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, ok := strings.Cut(rest, "/")
		if !ok || (kind != "response" && kind != "error") {
			runtimeAPIError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
			return
		}
		if id != inv.requestID {
			runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, lambdaMaxPayloadBytes+1))
		if err != nil {
			runtimeAPIError(w, http.StatusBadRequest, "InvalidRequest", "could not read the body")
			return
		}
		var ok2 bool
		switch {
		case kind == "response" && len(body) > lambdaMaxPayloadBytes:
			msg := "Response payload size exceeded maximum allowed payload size (" + strconv.Itoa(lambdaMaxPayloadBytes) + " bytes)."
			b, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": "Function.ResponseSizeTooLarge"})
			inv.finish(b, "Unhandled")
			runtimeAPIError(w, http.StatusRequestEntityTooLarge, "Function.ResponseSizeTooLarge", msg)
			return
		case kind == "response":
			ok2 = inv.finish(body, "")
		default:
			ok2 = inv.finish(runtimeErrorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"), "Unhandled"), "Unhandled")
		}
		if !ok2 {
			runtimeAPIError(w, http.StatusBadRequest, "InvalidStateTransition", "Invalid state transition: the invocation already has a result")
			return
		}
		runtimeAccepted(w)
	default:
		runtimeAPIError(w, http.StatusNotFound, "InvalidRequest", "unknown path "+r.URL.Path)
	}
}

// next hands out the event once; a later call means the runtime is idle
// and blocks until the process is stopped.
func (inv *runtimeInvocation) next(w http.ResponseWriter, r *http.Request) {
	inv.mu.Lock()
	first := !inv.delivered
	if first {
		inv.firstNext = time.Now()
		inv.deadline = inv.firstNext.Add(inv.timeout)
		inv.delivered = true
		close(inv.started)
	}
	deadline := inv.deadline
	inv.mu.Unlock()
	if !first {
		inv.idleOnce.Do(func() { close(inv.idle) })
		<-r.Context().Done()
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.requestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.functionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+emuRandomHex(12)+";Sampled=0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// initDuration is the time from process start to the first event request.
func (inv *runtimeInvocation) initDuration(start time.Time) time.Duration {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.firstNext.IsZero() {
		return time.Since(start)
	}
	return inv.firstNext.Sub(start)
}
