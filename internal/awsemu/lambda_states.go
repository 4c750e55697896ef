package awsemu

// lambda_states.go models Lambda's function states
// (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html):
// Pending after CreateFunction, LastUpdateStatus InProgress after
// UpdateFunctionCode / UpdateFunctionConfiguration, Inactive after a long
// idle. The windows are counted in observations (reads and refused calls)
// with an emulator-clock bound, never in wall time, so a busy machine
// cannot make a test see a different state.

import (
	"time"
)

// LambdaTiming sets how long functions stay in their transitional states.
type LambdaTiming struct {
	// Observations is how many calls on a function see it Pending after
	// CreateFunction (or after an invocation of an Inactive function) or
	// InProgress after an update: GetFunction, GetFunctionConfiguration,
	// and every call refused because of the state. The next call sees
	// Active / Successful. 0 means DefaultLambdaObservations; a negative
	// value turns the transitional states off.
	Observations int
	// Window bounds the transitional states on the emulator clock: after
	// it, the function is Active / Successful however few calls saw it.
	// 0 means DefaultLambdaWindow.
	Window time.Duration
	// InactiveAfter is how long (emulator clock) a function must go without
	// being created, updated or invoked to become Inactive. 0 means
	// DefaultLambdaInactiveAfter; a negative value turns it off.
	InactiveAfter time.Duration
}

const (
	// DefaultLambdaObservations: one read sees Pending / InProgress, so
	// the SDK waiters (FunctionActiveV2, FunctionUpdatedV2) must poll.
	DefaultLambdaObservations = 1
	// DefaultLambdaWindow bounds a transition for clients that never poll.
	DefaultLambdaWindow = time.Minute
	// DefaultLambdaInactiveAfter: AWS documents no figure ("idle long
	// enough for Lambda to reclaim the external resources"); the harsher
	// reading is shorter than the default 30-day rotation interval, so a
	// scheduled rotation meets an Inactive function.
	DefaultLambdaInactiveAfter = 14 * 24 * time.Hour
)

// normalise applies the defaults (and turns negatives into "off").
func (t LambdaTiming) normalise() LambdaTiming {
	switch {
	case t.Observations == 0:
		t.Observations = DefaultLambdaObservations
	case t.Observations < 0:
		t.Observations = 0
	}
	if t.Window <= 0 {
		t.Window = DefaultLambdaWindow
	}
	switch {
	case t.InactiveAfter == 0:
		t.InactiveAfter = DefaultLambdaInactiveAfter
	case t.InactiveAfter < 0:
		t.InactiveAfter = 0
	}
	return t
}

// Transitions of a function (lambdaFunction.Transition).
const (
	lambdaCreating   = "Creating"   // Pending after CreateFunction
	lambdaRestoring  = "Restoring"  // Pending after invoking an Inactive function
	lambdaInProgress = "InProgress" // LastUpdateStatus InProgress after an update
)

// pending reports whether fn is in the Pending state; b.mu must be held.
func (fn *lambdaFunction) pending() bool {
	return fn.Transition == lambdaCreating || fn.Transition == lambdaRestoring
}

// settle ends a transition whose observations or window are used up, and
// makes an idle function Inactive; b.mu must be held.
func (b *lambdaBackend) settle(fn *lambdaFunction, now time.Time) {
	t := b.env.LambdaTiming()
	if fn.Transition != "" && (fn.TransitionSeen >= t.Observations || !now.Before(fn.TransitionSince.Add(t.Window))) {
		fn.Transition, fn.TransitionSeen = "", 0
	}
	if fn.Transition == "" && t.InactiveAfter > 0 && !fn.LastUsed.IsZero() && !now.Before(fn.LastUsed.Add(t.InactiveAfter)) {
		fn.Inactive = true
	}
}

// observe settles fn and counts one observation of its transition (call
// it after rendering what the observer sees); b.mu must be held.
func (b *lambdaBackend) observe(fn *lambdaFunction, now time.Time) {
	b.settle(fn, now)
	if fn.Transition != "" {
		fn.TransitionSeen++
	}
}

// begin starts a transition at now; b.mu must be held.
func (b *lambdaBackend) begin(fn *lambdaFunction, transition string, now time.Time) {
	fn.LastUsed, fn.Inactive = now, false
	if b.env.LambdaTiming().Observations == 0 {
		fn.Transition = ""
		return
	}
	fn.Transition, fn.TransitionSince, fn.TransitionSeen = transition, now, 0
}

// stateConflict is the ResourceConflictException AWS answers for a call
// the function's state refuses.
func (b *lambdaBackend) stateConflict(fn *lambdaFunction, state string) *APIError {
	if state == "" {
		return lambdaErr("ResourceConflictException", 409, "The operation cannot be performed at this time. An update is in progress for resource: %s", b.functionARN(fn.Name))
	}
	return lambdaErr("ResourceConflictException", 409, "The operation cannot be performed at this time. The function is currently in the following state: %s", state)
}

// Calls a function state refuses (functions-states.html: while Pending,
// "any invocations or other API actions that operate on the function will
// fail"; while an update is InProgress, UpdateFunctionCode,
// UpdateFunctionConfiguration, PublishVersion and TagResource fail, and
// the harsher reading adds AddPermission and UntagResource, which declare
// ResourceConflictException in AWS's API model; RemovePermission does not).
const (
	lambdaOpInvoke = "invoke" // refused while Pending (invocations use the previous code while InProgress)
	lambdaOpWrite  = "write"  // refused while Pending or InProgress
)

// checkState refuses op when fn's state does not allow it, counting the
// refusal as an observation; b.mu must be held. An invocation of an
// Inactive function fails once and starts re-creating the function
// (Pending), as AWS documents.
func (b *lambdaBackend) checkState(fn *lambdaFunction, op string, now time.Time) error {
	b.settle(fn, now)
	switch {
	case fn.pending():
		fn.TransitionSeen++
		return b.stateConflict(fn, "Pending")
	case fn.Transition == lambdaInProgress && op == lambdaOpWrite:
		fn.TransitionSeen++
		return b.stateConflict(fn, "")
	case fn.Inactive && op == lambdaOpInvoke:
		b.begin(fn, lambdaRestoring, now)
		return b.stateConflict(fn, "Inactive")
	}
	if op == lambdaOpInvoke {
		fn.LastUsed = now
	}
	return nil
}

// applyState fills the state fields of a configuration as the observer
// sees fn; b.mu must be held.
func (b *lambdaBackend) applyState(fn *lambdaFunction, out *lambdaConfigOut) {
	out.State, out.LastUpdateStatus = "Active", "Successful"
	switch {
	case fn.Transition == lambdaCreating:
		// LastUpdateStatus "is first set to Successful after function
		// creation completes" (GetFunctionConfiguration API reference).
		out.State, out.StateReason, out.StateReasonCode = "Pending", "The function is being created.", "Creating"
		out.LastUpdateStatus = "InProgress"
	case fn.Transition == lambdaRestoring:
		out.State, out.StateReason, out.StateReasonCode = "Pending", "The function is being restored.", "Restoring"
	case fn.Transition == lambdaInProgress:
		out.LastUpdateStatus, out.LastUpdateStatusReason = "InProgress", "The function is being updated."
	case fn.Inactive:
		out.State, out.StateReason, out.StateReasonCode = "Inactive", "The function is inactive.", "Idle"
	}
}
