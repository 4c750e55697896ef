package awsemu

// lambda_invoke.go runs a function for real: it unpacks the zip once per
// code hash, starts its bootstrap as a fresh process per invocation (a
// cold start each time) with the function's environment, role credentials
// and a Runtime API served on a per-invocation loopback listener, enforces
// the timeout, and writes the output to /aws/lambda/NAME.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// lambdaLogTailBytes is how much of the log LogType=Tail returns.
	lambdaLogTailBytes = 4096
	// lambdaIdleGrace is how long a runtime that has posted its result may
	// take to ask for the next event before it is stopped.
	lambdaIdleGrace = 500 * time.Millisecond
	// lambdaOutputDrain bounds the wait for the output pipe to close after
	// the process exits (a stray grandchild may hold it open).
	lambdaOutputDrain = 2 * time.Second
	// lambdaInitTimeout is Lambda's limit on the init phase.
	lambdaInitTimeout = 10 * time.Second
	// lambdaMaxLogLine is the longest log event; longer lines are split.
	lambdaMaxLogLine = 256 * 1024
	// qemuAarch64 is the Debian qemu-user-static binary for arm64 code.
	qemuAarch64 = "qemu-aarch64-static"
	qemuX8664   = "qemu-x86_64-static"
)

// invokeResult is the outcome of one invocation.
type invokeResult struct {
	payload       []byte
	functionError string // "" or "Unhandled"
	logTail       []byte
}

// invoke serves the Invoke operation.
func (b *lambdaBackend) invoke(c *Call) (any, error) {
	invType := c.HTTP.Header.Get("X-Amz-Invocation-Type")
	if invType == "" {
		invType = "RequestResponse"
	}
	logType := c.HTTP.Header.Get("X-Amz-Log-Type")
	if logType == "" {
		logType = "None"
	}
	if invType != "RequestResponse" && invType != "Event" && invType != "DryRun" {
		return nil, lambdaValidation("Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", invType)
	}
	if logType != "None" && logType != "Tail" {
		return nil, lambdaValidation("Value '%s' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]", logType)
	}
	limit := lambdaMaxPayloadBytes
	if invType == "Event" {
		limit = 256 * 1024
	}
	if len(c.Body) > limit {
		return nil, lambdaErr("RequestTooLargeException", 413, "Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	payload := c.Body
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		return nil, lambdaErr("InvalidRequestContentException", 400, "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value")
	}
	b.mu.Lock()
	fn, err := b.lookup(c, "lambda:InvokeFunction")
	var name string
	if err == nil {
		name = fn.Name
		if invType != "DryRun" {
			err = b.checkState(fn, lambdaOpInvoke, c.Now)
		}
	}
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	hdr := http.Header{"X-Amz-Executed-Version": {"$LATEST"}}
	switch invType {
	case "DryRun":
		return &RawResponse{Status: http.StatusNoContent, Header: hdr}, nil
	case "Event":
		b.running.Add(1)
		go func() {
			defer b.running.Done()
			_, _ = b.run(b.baseCtx, name, payload)
		}()
		return &RawResponse{Status: http.StatusAccepted, Header: hdr}, nil
	}
	ctx, cancel := mergeCancel(c.Ctx, b.baseCtx)
	defer cancel()
	b.running.Add(1)
	res, err := b.run(ctx, name, payload)
	b.running.Done()
	if err != nil {
		return nil, err
	}
	hdr.Set("Content-Type", "application/json")
	if res.functionError != "" {
		hdr.Set("X-Amz-Function-Error", res.functionError)
	}
	if logType == "Tail" {
		hdr.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(res.logTail))
	}
	return &RawResponse{Status: http.StatusOK, Header: hdr, Body: res.payload}, nil
}

// mergeCancel returns a context cancelled when either parent is.
func mergeCancel(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}

// Invoke implements FunctionRuntime: a synchronous invocation by a service.
func (b *lambdaBackend) Invoke(ctx context.Context, functionARN string, payload []byte) ([]byte, string, error) {
	name, err := b.resolveName(functionARN, "")
	if err != nil {
		return nil, "", err
	}
	b.mu.Lock()
	if fn, ok := b.funcs[name]; ok {
		err = b.checkState(fn, lambdaOpInvoke, b.env.Now())
	}
	b.mu.Unlock()
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := mergeCancel(ctx, b.baseCtx)
	defer cancel()
	b.running.Add(1)
	defer b.running.Done()
	res, err := b.run(ctx, name, payload)
	if err != nil {
		return nil, "", err
	}
	return res.payload, res.functionError, nil
}

// lambdaLogBuffer collects an invocation's log events in order.
type lambdaLogBuffer struct {
	mu     sync.Mutex
	now    func() time.Time
	events []logEvent
}

func (l *lambdaLogBuffer) add(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, logEvent{Timestamp: l.now().UnixMilli(), Message: msg})
}

func (l *lambdaLogBuffer) addf(format string, args ...any) { l.add(fmt.Sprintf(format, args...)) }

// tail returns the last lambdaLogTailBytes of the log text.
func (l *lambdaLogBuffer) tail() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	var sb strings.Builder
	for _, e := range l.events {
		sb.WriteString(e.Message)
		if !strings.HasSuffix(e.Message, "\n") {
			sb.WriteString("\n")
		}
	}
	s := sb.String()
	if len(s) > lambdaLogTailBytes {
		s = s[len(s)-lambdaLogTailBytes:]
	}
	return []byte(s)
}

// readOutput turns the process output into log events, one per line
// (lines longer than lambdaMaxLogLine are split).
func (l *lambdaLogBuffer) readOutput(r io.Reader) {
	br := bufio.NewReaderSize(r, lambdaMaxLogLine)
	for {
		chunk, err := br.ReadSlice('\n')
		if line := strings.TrimRight(string(chunk), "\r\n"); line != "" {
			l.add(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// functionSnapshot is what one invocation needs from the function.
type functionSnapshot struct {
	name, role, handler, sha, arch, logGroup string
	timeout, memory                          int
	env                                      map[string]string
	zip                                      []byte
}

func (b *lambdaBackend) snapshotFunction(name string) (functionSnapshot, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fn, ok := b.funcs[name]
	if !ok {
		return functionSnapshot{}, b.notFound(name)
	}
	arch := "x86_64"
	if len(fn.Architectures) > 0 {
		arch = fn.Architectures[0]
	}
	return functionSnapshot{name: fn.Name, role: fn.Role, handler: fn.Handler, sha: fn.CodeSha256, arch: arch,
		timeout: fn.Timeout, memory: fn.MemorySize, logGroup: fn.logGroup(), env: lambdaCopyMap(fn.Env), zip: fn.Zip}, nil
}

// failure builds a function-error payload in Lambda's shape.
func lambdaFailure(errType, msg string) []byte {
	out, _ := json.Marshal(map[string]string{"errorType": errType, "errorMessage": msg})
	return out
}

// run performs one invocation of the named function.
func (b *lambdaBackend) run(ctx context.Context, name string, payload []byte) (*invokeResult, error) {
	fn, err := b.snapshotFunction(name)
	if err != nil {
		return nil, err
	}
	reqID := emuUUID()
	now := b.env.Now()
	logGroup := fn.logGroup
	logStream := now.UTC().Format("2006/01/02") + "/[$LATEST]" + emuRandomHex(16)
	logs := &lambdaLogBuffer{now: b.env.Now}
	fnARN := b.functionARN(fn.name)

	res := &invokeResult{}
	var runErr error
	start := time.Now()
	timedOut, outOfMemory := false, false
	var initDur time.Duration
	var maxRSSMB int64

	fail := func(errType, msg string) {
		res.payload, res.functionError = lambdaFailure(errType, msg), "Unhandled"
		logs.addf("RequestId: %s Error: %s", reqID, strings.TrimPrefix(msg, "RequestId: "+reqID+" Error: "))
		logs.add(errType)
	}

	logs.addf("START RequestId: %s Version: $LATEST", reqID)
	func() {
		dir, err := b.unpack(fn.sha, fn.zip)
		if err != nil {
			fail("Runtime.InvalidEntrypoint", "RequestId: "+reqID+" Error: could not unpack the function code: "+err.Error())
			return
		}
		// Lambda unpacks code before an invocation's clock starts: the
		// first invocation of each code version must not report the unzip
		// as Init Duration.
		start = time.Now()
		argv, errType, msg := b.command(dir, fn.arch)
		if errType != "" {
			fail(errType, "RequestId: "+reqID+" Error: "+msg)
			return
		}
		creds, err := b.roles.IssueRoleCredentials(fn.role, fn.name)
		if err != nil {
			fail("Runtime.Unknown", "RequestId: "+reqID+" Error: Lambda could not assume the function's role: "+err.Error())
			return
		}
		inv := newRuntimeInvocation(reqID, fnARN, payload, time.Duration(fn.timeout)*time.Second)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fail("Runtime.Unknown", "RequestId: "+reqID+" Error: runtime API listener: "+err.Error())
			return
		}
		srv := &http.Server{Handler: inv, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer func() { _ = srv.Close() }()

		tmp, err := os.MkdirTemp(b.env.WorkDir, "invoke-")
		if err != nil {
			fail("Runtime.Unknown", "RequestId: "+reqID+" Error: temp dir: "+err.Error())
			return
		}
		defer func() { _ = os.RemoveAll(tmp) }()

		pr, pw, err := os.Pipe()
		if err != nil {
			fail("Runtime.Unknown", "RequestId: "+reqID+" Error: pipe: "+err.Error())
			return
		}
		cmd, err := startRetryingBusy(func() *exec.Cmd {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = dir
			cmd.Env = b.processEnv(fn, creds, ln.Addr().String(), dir, tmp, logGroup, logStream)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Stdout, cmd.Stderr = pw, pw
			return cmd
		})
		if err != nil {
			_ = pr.Close()
			_ = pw.Close()
			fail("Runtime.InvalidEntrypoint", "RequestId: "+reqID+" Error: "+strings.ReplaceAll(err.Error(), dir, "/var/task"))
			return
		}
		_ = pw.Close()
		outDone := make(chan struct{})
		go func() { logs.readOutput(pr); close(outDone) }()
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		kill := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		// Memory is enforced for native runs only: under qemu the
		// emulator's own footprint would count against the function.
		mem := &lambdaMemWatch{pid: cmd.Process.Pid, limitKB: int64(fn.memory) * 1024, enforce: len(argv) == 1}
		oom, stopWatch := make(chan struct{}), make(chan struct{})
		go mem.watch(stopWatch, oom)

		// As on Lambda, init (until the runtime asks for the event) has
		// its own limit; the function's timeout counts from the event.
		timer := time.NewTimer(lambdaInitTimeout)
		defer timer.Stop()
		var exitErr error
		processGone := false
		started := inv.started
	wait:
		for {
			select {
			case <-started:
				started = nil
				timer.Reset(time.Until(inv.invokeDeadline()))
				continue wait
			case <-inv.done:
				select {
				case <-inv.idle:
				case exitErr = <-exited:
					processGone = true
				case <-time.After(lambdaIdleGrace):
				}
			case exitErr = <-exited:
				processGone = true
			case <-timer.C:
				timedOut = true
			case <-oom:
				outOfMemory = true
			case <-ctx.Done():
			}
			break
		}
		mem.sample()
		close(stopWatch)
		// The peak (VmHWM) catches a function that went over its memory
		// between two samples: on Lambda it would have been killed.
		if mem.enforce && !timedOut && mem.maxMB()*1024 > mem.limitKB {
			outOfMemory = true
		}
		kill()
		if !processGone {
			exitErr = <-exited
		}
		select {
		case <-outDone:
		case <-time.After(lambdaOutputDrain):
			_ = pr.Close()
		}
		initDur = inv.initDuration(start)
		maxRSSMB = mem.maxMB()
		switch {
		case ctx.Err() != nil && !timedOut:
			runErr = ctx.Err()
		case outOfMemory:
			maxRSSMB = int64(fn.memory)
			fail("Runtime.OutOfMemory", "RequestId: "+reqID+" Error: Runtime exited with error: signal: killed")
		case timedOut:
			msg := fmt.Sprintf("Task timed out after %d.00 seconds", fn.timeout)
			logs.addf("%s %s %s", b.env.Now().UTC().Format("2006-01-02T15:04:05.000Z"), reqID, msg)
			res.payload, res.functionError = lambdaFailure("Sandbox.Timedout", "RequestId: "+reqID+" Error: "+msg), "Unhandled"
		default:
			select {
			case <-inv.done:
				res.payload, res.functionError = inv.outcome()
			default:
				reason := "Runtime exited without providing a reason"
				if exitErr != nil {
					reason = "Runtime exited with error: " + exitErr.Error()
				}
				fail("Runtime.ExitError", "RequestId: "+reqID+" Error: "+reason)
			}
		}
	}()
	if runErr != nil {
		return nil, &APIError{Code: "ServiceException", Message: "The invocation was cancelled: " + runErr.Error(), HTTPStatus: 500}
	}
	invokeStart := start.Add(initDur)
	dur := time.Since(invokeStart)
	billed := int64(math.Ceil(float64(dur.Microseconds()) / 1000))
	logs.addf("END RequestId: %s", reqID)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\tInit Duration: %.2f ms",
		reqID, float64(dur.Microseconds())/1000, billed, fn.memory, maxRSSMB, float64(initDur.Microseconds())/1000)
	switch {
	case timedOut:
		report += "\tStatus: timeout"
	case outOfMemory:
		report += "\tStatus: error\tError Type: Runtime.OutOfMemory"
	}
	logs.add(report)
	res.logTail = logs.tail()
	b.writeLogs(fn, logGroup, logStream, logs)
	return res, nil
}

// writeLogs delivers the invocation's log events to CloudWatch Logs when
// the function's role may write them, as Lambda does.
func (b *lambdaBackend) writeLogs(fn functionSnapshot, group, stream string, logs *lambdaLogBuffer) {
	p := b.rolePrincipal(fn.role, fn.name)
	groupARN := "arn:aws:logs:" + b.env.Region + ":" + b.env.AccountID + ":log-group:" + group
	streamARN := groupARN + ":log-stream:" + stream
	if b.authz.Authorize(p, "logs:CreateLogStream", streamARN, nil) != nil || b.authz.Authorize(p, "logs:PutLogEvents", streamARN, nil) != nil {
		return
	}
	create := b.authz.Authorize(p, "logs:CreateLogGroup", groupARN+":*", nil) == nil || b.authz.Authorize(p, "logs:CreateLogGroup", groupARN, nil) == nil
	logs.mu.Lock()
	events := append([]logEvent(nil), logs.events...)
	logs.mu.Unlock()
	_ = b.logs.appendEvents(group, stream, events, create)
}

// processEnv builds the function's environment, as on Lambda.
func (b *lambdaBackend) processEnv(fn functionSnapshot, creds Credentials, runtimeAPI, dir, tmp, group, stream string) []string {
	env := map[string]string{}
	for k, v := range fn.env {
		env[k] = v
	}
	for k, v := range map[string]string{
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"TMPDIR":                          tmp,
		"HOME":                            tmp,
		"LAMBDA_TASK_ROOT":                dir,
		"LAMBDA_RUNTIME_DIR":              dir,
		"_HANDLER":                        fn.handler,
		"AWS_REGION":                      b.env.Region,
		"AWS_DEFAULT_REGION":              b.env.Region,
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_LAMBDA_FUNCTION_NAME":        fn.name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.memory),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       group,
		"AWS_LAMBDA_LOG_STREAM_NAME":      stream,
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_ACCESS_KEY_ID":               creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":               creds.SessionToken,
		// The emulator is the only endpoint a function may reach.
		"AWS_ENDPOINT_URL":          b.env.Endpoint(),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for _, k := range policySortedKeys(env) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// command returns the argv that runs dir/bootstrap for the function's
// architecture, or a Lambda error type and message.
func (b *lambdaBackend) command(dir, arch string) (argv []string, errType, msg string) {
	boot := filepath.Join(dir, "bootstrap")
	st, err := os.Stat(boot)
	if err != nil || !st.Mode().IsRegular() {
		return nil, "Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
	}
	if st.Mode().Perm()&0o111 == 0 {
		return nil, "Runtime.InvalidEntrypoint", "fork/exec /var/task/bootstrap: permission denied"
	}
	want := elf.EM_X86_64
	if arch == "arm64" {
		want = elf.EM_AARCH64
	}
	f, err := elf.Open(boot)
	if err != nil {
		// Not an ELF binary (e.g. a script with a shebang): run as is.
		return []string{boot}, "", ""
	}
	machine := f.Machine
	_ = f.Close()
	if machine != want {
		return nil, "Runtime.InvalidEntrypoint", "fork/exec /var/task/bootstrap: exec format error"
	}
	hostMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	if machine == hostMachine {
		return []string{boot}, "", ""
	}
	qemu, pkg := qemuAarch64, "qemu-user-static"
	if machine == elf.EM_X86_64 {
		qemu = qemuX8664
	}
	path, err := exec.LookPath(qemu)
	if err != nil {
		return nil, "Runtime.EmulatorUnavailable", fmt.Sprintf("the function's architecture is %s but this host is %s; the emulator runs it under %s, which is not installed: install the Debian package %s (apt-get install %s)", arch, runtime.GOARCH, qemu, pkg, pkg)
	}
	return []string{path, boot}, "", ""
}

// unpack extracts the zip of code sha into WorkDir once and returns the directory.
func (b *lambdaBackend) unpack(sha string, zipBytes []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sha)
	if err != nil {
		return "", err
	}
	key := hex.EncodeToString(raw)
	b.unpackMu.Lock()
	mu, ok := b.unpacked[key]
	if !ok {
		mu = &sync.Mutex{}
		b.unpacked[key] = mu
	}
	b.unpackMu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	dir := filepath.Join(b.env.WorkDir, "lambda-code", key)
	if _, err := os.Stat(filepath.Join(dir, ".unpacked")); err == nil {
		return dir, nil
	}
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	if err != nil {
		return "", err
	}
	for _, f := range zr.File {
		if err := lambdaExtract(dir, f); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".unpacked"), nil, 0o600); err != nil {
		return "", err
	}
	return dir, nil
}

func lambdaExtract(dir string, f *zip.File) error {
	name := filepath.FromSlash(f.Name)
	if filepath.IsAbs(name) || strings.HasPrefix(filepath.Clean(name), "..") {
		return fmt.Errorf("zip entry %q escapes the code directory", f.Name)
	}
	target := filepath.Join(dir, name)
	if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	mode := f.Mode().Perm()
	if f.Mode()&os.ModeSymlink != 0 {
		return errors.New("symlinks in function zips are not supported by the emulator")
	}
	if mode == 0 {
		mode = 0o644
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(rc, lambdaMaxUnzippedBytes)); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// lambdaMemWatch samples a function process's memory (VmRSS/VmHWM from
// /proc) and reports when it exceeds the function's MemorySize.
type lambdaMemWatch struct {
	pid     int
	limitKB int64
	enforce bool

	mu    sync.Mutex
	hwmKB int64
}

// lambdaMemPoll is how often the memory of a running function is sampled.
const lambdaMemPoll = 50 * time.Millisecond

// sample reads the process's memory and returns its current RSS in KB.
func (m *lambdaMemWatch) sample() int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(m.pid) + "/status")
	if err != nil {
		return 0
	}
	var rss, hwm int64
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	m.mu.Lock()
	m.hwmKB = max(m.hwmKB, hwm, rss)
	m.mu.Unlock()
	return rss
}

func (m *lambdaMemWatch) watch(stop <-chan struct{}, oom chan<- struct{}) {
	t := time.NewTicker(lambdaMemPoll)
	defer t.Stop()
	for {
		if rss := m.sample(); m.enforce && rss > m.limitKB {
			close(oom)
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func (m *lambdaMemWatch) maxMB() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(math.Ceil(float64(m.hwmKB) / 1024))
}

// startRetryingBusy starts the command newCmd builds, again while exec
// fails with ETXTBSY ("text file busy"). That error is the emulator's, not
// the function's: a process forked elsewhere in this server at the moment
// the bootstrap was unpacked still holds the file open for writing until it
// execs (golang.org/issue/22315). It clears within milliseconds; Lambda
// itself never shows it.
func startRetryingBusy(newCmd func() *exec.Cmd) (*exec.Cmd, error) {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		cmd := newCmd()
		if err = cmd.Start(); err == nil || !errors.Is(err, syscall.ETXTBSY) {
			return cmd, err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return nil, err
}
