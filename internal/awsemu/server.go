package awsemu

// server.go is the core of the emulator: one HTTP server on a loopback
// address that authenticates each request (SigV4), routes it to a service
// by the credential scope, decodes the operation for the service's wire
// protocol, counts it, applies injected faults, calls the operation's
// handler and renders the result or the error in the protocol's shape.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	defaultRegion    = "us-east-1"
	defaultAccountID = "123456789012"
	// maxRequestBody bounds a request body: a Lambda zip of up to 50 MB
	// arrives base64-encoded inside JSON.
	maxRequestBody = 128 << 20
	// saveInterval is how often dirty state is written to Options.StateFile.
	saveInterval = 500 * time.Millisecond
)

// Server is a running emulator.
type Server struct {
	opts Options
	env  *Env
	ln   net.Listener
	srv  *http.Server
	url  string

	services map[string]*Service   // by signing name
	state    map[string]persistent // by signing name
	closers  []closer
	keys     accessKeyStore // emulator-issued temporary credentials; may be nil
	authz    Authorizer     // may be nil (everyone is allowed)

	sm     *smBackend
	kms    *kmsBackend
	sns    *snsBackend
	events *eventsBackend

	clockMu sync.Mutex
	offset  time.Duration

	iamDelay     atomic.Int64 // nanoseconds
	lambdaTiming atomic.Pointer[LambdaTiming]

	statsMu sync.Mutex
	calls   map[string]int
	faults  []*Fault

	advanceMu sync.Mutex // serialises clock advances (they run rotations)

	throttle throttler

	dirty     atomic.Bool
	saveMu    sync.Mutex
	stopSaver chan struct{}
	saverDone chan struct{}

	removeWorkDir bool
	closeOnce     sync.Once
	closeErr      error
}

// Start starts an emulator listening on opts.Addr (a loopback address).
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Region == "" {
		opts.Region = defaultRegion
	}
	if opts.AccountID == "" {
		opts.AccountID = defaultAccountID
	}
	if err := checkLoopback(opts.Addr); err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		services: map[string]*Service{},
		state:    map[string]persistent{},
		calls:    map[string]int{},
	}
	switch {
	case opts.IAMPropagationDelay == 0:
		s.iamDelay.Store(int64(DefaultIAMPropagationDelay))
	case opts.IAMPropagationDelay > 0:
		s.iamDelay.Store(int64(opts.IAMPropagationDelay))
	}
	s.SetLambdaTiming(opts.Lambda)
	if opts.WorkDir == "" {
		dir, err := os.MkdirTemp("", "awsemu-")
		if err != nil {
			return nil, fmt.Errorf("awsemu: work dir: %w", err)
		}
		opts.WorkDir = dir
		s.opts.WorkDir = dir
		s.removeWorkDir = true
	} else if err := os.MkdirAll(opts.WorkDir, 0o700); err != nil {
		return nil, fmt.Errorf("awsemu: work dir: %w", err)
	}
	if opts.StateFile != "" {
		if err := os.MkdirAll(filepath.Dir(opts.StateFile), 0o700); err != nil {
			s.cleanupWorkDir()
			return nil, fmt.Errorf("awsemu: state file directory: %w", err)
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		s.cleanupWorkDir()
		return nil, fmt.Errorf("awsemu: listen %s: %w", opts.Addr, err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.env = &Env{
		AccountID:           opts.AccountID,
		Region:              opts.Region,
		Endpoint:            func() string { return s.url },
		Now:                 s.now,
		WorkDir:             opts.WorkDir,
		IAMPropagationDelay: func() time.Duration { return time.Duration(s.iamDelay.Load()) },
		LambdaTiming:        func() LambdaTiming { return *s.lambdaTiming.Load() },
	}
	s.wire()
	if opts.StateFile != "" {
		if err := s.load(); err != nil {
			_ = ln.Close()
			s.cleanupWorkDir()
			return nil, err
		}
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	if opts.StateFile != "" {
		s.stopSaver = make(chan struct{})
		s.saverDone = make(chan struct{})
		go s.saver()
	}
	return s, nil
}

// checkLoopback refuses any listen address that is not a loopback one.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("awsemu: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("awsemu: address %q is not a loopback address; the emulator listens on 127.0.0.1 only", addr)
	}
	return nil
}

// register adds a service (and its persistent state, if any).
func (s *Server) register(svc *Service, state any) {
	s.services[svc.Name] = svc
	if p, ok := state.(persistent); ok {
		s.state[svc.Name] = p
	}
	if c, ok := state.(closer); ok {
		s.closers = append(s.closers, c)
	}
}

// URL returns the emulator's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// AccountID returns the emulated account ID.
func (s *Server) AccountID() string { return s.opts.AccountID }

// Region returns the emulated region.
func (s *Server) Region() string { return s.opts.Region }

// Now returns the emulator clock.
func (s *Server) Now() time.Time { return s.now() }

// Close stops the server, saves the state (if a state file is set) and
// removes the temporary work directory.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var errs []error
		if err := s.srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			_ = s.srv.Close()
		}
		if s.stopSaver != nil {
			close(s.stopSaver)
			<-s.saverDone
			if err := s.save(); err != nil {
				errs = append(errs, err)
			}
		}
		for _, c := range s.closers {
			if err := c.close(); err != nil {
				errs = append(errs, err)
			}
		}
		s.cleanupWorkDir()
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Server) cleanupWorkDir() {
	if s.removeWorkDir && s.opts.WorkDir != "" {
		_ = os.RemoveAll(s.opts.WorkDir)
	}
}

// now is the emulator clock, in UTC with millisecond precision (what the
// JSON protocols carry).
func (s *Server) now() time.Time {
	s.clockMu.Lock()
	off := s.offset
	s.clockMu.Unlock()
	return time.Now().UTC().Add(off).Truncate(time.Millisecond)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_emu/") {
		s.serveAdmin(w, r)
		return
	}
	// Every AWS response carries the service's clock in Date; SDKs read it
	// (clock skew, GetServerTime). Here it is the emulator clock.
	w.Header().Set("Date", s.now().Format(http.TimeFormat))
	reqID := emuUUID()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeError(w, ProtocolJSON11, "", reqID, emuErr("SerializationException", "failed to read the request body"))
		return
	}
	if len(body) > maxRequestBody {
		writeError(w, ProtocolJSON11, "", reqID, &APIError{Code: "RequestEntityTooLargeException", Message: "Request must be smaller than 134217728 bytes", HTTPStatus: 413})
		return
	}

	auth, authErr := parseSigV4(r)
	var svc *Service
	if auth != nil && authErr == nil {
		svc = s.services[auth.service]
		if svc == nil {
			writeError(w, ProtocolJSON11, "", reqID, emuErr("UnrecognizedClientException", "The emulator does not implement service %q.", auth.service))
			return
		}
	} else {
		if auth != nil {
			svc = s.services[auth.service]
		}
		if svc == nil {
			svc = s.inferService(r, body)
		}
	}
	proto, ns := ProtocolJSON11, ""
	if svc != nil {
		proto, ns = svc.Protocol, svc.XMLNamespace
	}
	if authErr != nil {
		writeError(w, proto, ns, reqID, authErr.forProtocol(proto))
		return
	}

	c := &Call{
		Ctx:     r.Context(),
		Service: svc.Name,
		Region:  auth.region,
		HTTP:    r,
		Body:    body,
	}
	op, params, form, opErr := decodeOperation(svc, r, body)
	if opErr != nil {
		writeError(w, proto, ns, reqID, opErr)
		return
	}
	c.Operation, c.Params, c.Form = op, params, form
	var injected bool
	if s.opts.Validator != nil {
		rec := &recorder{ResponseWriter: w}
		w = rec
		defer func() {
			x := &Exchange{Service: svc.Name, Operation: op, Protocol: proto, Method: r.Method, Path: r.URL.EscapedPath(),
				Query: r.URL.Query(), Header: r.Header, RequestBody: body, Form: form, PathParams: params,
				Status: rec.status, ResponseHeader: rec.Header(), ResponseBody: rec.body.Bytes(), Injected: injected}
			if rec.status >= 300 {
				x.ErrorCode = responseErrorCode(proto, rec.Header(), rec.body.Bytes())
			}
			s.opts.Validator.Check(x)
		}()
	}

	caller, callerErr := s.authenticate(r, auth, body)
	if callerErr != nil {
		writeError(w, proto, ns, reqID, callerErr.forProtocol(proto))
		return
	}
	c.Caller = caller

	if fault := s.countAndFault(svc.Name, op); fault != nil {
		injected = true
		writeError(w, proto, ns, reqID, fault)
		return
	}
	if q := quotaOf(svc.Name, op); s.opts.ThrottleAtQuotas && q != nil && !s.throttle.allow(q, s.now()) {
		writeError(w, proto, ns, reqID, throttleError(svc.Name))
		return
	}
	c.Now = s.now()
	handler := svc.Ops[op]
	v, herr := runHandler(handler, c)
	s.dirty.Store(true)
	if herr != nil {
		var ae *APIError
		if !errors.As(herr, &ae) {
			ae = &APIError{Code: "InternalFailure", Message: herr.Error(), HTTPStatus: 500, Type: "Receiver"}
		}
		writeError(w, proto, ns, reqID, ae)
		return
	}
	writeResult(w, proto, ns, op, reqID, v)
}

// runHandler calls h, turning a panic into an internal error so one bad
// request cannot take the emulator down.
func runHandler(h Handler, c *Call) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("emulator panic in %s:%s: %v", c.Service, c.Operation, p)
		}
	}()
	return h(c)
}

// inferService picks the service of an unsigned request so its rejection
// has the right protocol shape.
func (s *Server) inferService(r *http.Request, body []byte) *Service {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		for _, svc := range s.services {
			if svc.Protocol == ProtocolJSON11 && svc.TargetPrefix == prefix {
				return svc
			}
		}
	}
	if form, err := parseForm(r, body); err == nil && form.Get("Action") != "" {
		action := form.Get("Action")
		for _, name := range []string{"sts", "iam", "sns"} {
			if svc := s.services[name]; svc != nil && svc.Ops[action] != nil {
				return svc
			}
		}
	}
	for _, svc := range s.services {
		if svc.Protocol == ProtocolRESTJSON {
			if _, _, ok := matchRoute(svc.Routes, r.Method, r.URL.EscapedPath()); ok {
				return svc
			}
		}
	}
	return nil
}

// countAndFault counts the call and returns the injected fault, if any.
func (s *Server) countAndFault(service, op string) *APIError {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.calls[service+":"+op]++
	for i, f := range s.faults {
		if f.Service != service || (f.Operation != "" && f.Operation != "*" && f.Operation != op) {
			continue
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		e := &APIError{Code: f.Code, Message: f.Message, HTTPStatus: f.Status}
		if e.HTTPStatus >= 500 {
			e.Type = "Receiver"
		}
		return e
	}
	return nil
}

// Calls returns the per "service:Operation" request counts.
func (s *Server) Calls() map[string]int {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the request counts.
func (s *Server) ResetCalls() {
	s.statsMu.Lock()
	s.calls = map[string]int{}
	s.statsMu.Unlock()
}

// InjectFault makes the next f.Count calls of f.Service:f.Operation fail.
func (s *Server) InjectFault(f Fault) error {
	f, err := normaliseFault(f)
	if err != nil {
		return err
	}
	s.statsMu.Lock()
	s.faults = append(s.faults, &f)
	s.statsMu.Unlock()
	return nil
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.statsMu.Lock()
	s.faults = nil
	s.statsMu.Unlock()
}

// SetIAMPropagationDelay sets how long new or changed roles stay not
// assumable by Lambda.
func (s *Server) SetIAMPropagationDelay(d time.Duration) {
	s.iamDelay.Store(int64(d))
	s.dirty.Store(true)
}

// SetLambdaTiming replaces the function-state timings (zero fields take
// the defaults, negative ones turn the behaviour off, as in Options).
func (s *Server) SetLambdaTiming(t LambdaTiming) {
	n := t.normalise()
	s.lambdaTiming.Store(&n)
}

// IAMPropagationDelay returns the current IAM propagation delay (emulator
// clock). Tests that are about something else move the clock by it
// (AdvanceClock) so the roles they wrote are in effect.
func (s *Server) IAMPropagationDelay() time.Duration {
	return time.Duration(s.iamDelay.Load())
}

func normaliseFault(f Fault) (Fault, error) {
	if f.Service == "" {
		return f, errors.New("fault: service is required")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Count < -1 {
		return f, errors.New("fault: count must be positive, or -1 for every call until cleared")
	}
	if f.Code == "" {
		if f.Status >= 500 {
			f.Code = "InternalFailure"
		} else {
			f.Code = "ThrottlingException"
		}
	}
	if f.Status == 0 {
		switch f.Code {
		case "InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException", "ServiceException":
			f.Status = 500
			if strings.HasPrefix(f.Code, "ServiceUnavailable") {
				f.Status = 503
			}
		default:
			f.Status = 400
		}
	}
	if f.Message == "" {
		switch f.Code {
		case "ThrottlingException", "Throttling":
			f.Message = "Rate exceeded"
		default:
			f.Message = "Injected fault " + f.Code
		}
	}
	return f, nil
}
