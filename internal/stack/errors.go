package stack

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// Child kinds, used in NotFoundError and StepError.
const (
	KindSecret     = "secret"
	KindRole       = "IAM role"
	KindRolePolicy = "IAM role policy"
	KindLogGroup   = "log group"
	KindFunction   = "rotation function"
	KindPermission = "invoke permission"
	KindKey        = "KMS key"
	KindReplica    = "replica"
)

// NotFoundError says that a child does not exist (or, for a secret, is
// scheduled for deletion). Finders return it; callers test with IsNotFound.
type NotFoundError struct {
	Kind string
	ID   string
	Err  error // the AWS error, when there was one
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.Kind, e.ID)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// PendingRotationError says that an earlier rotation left AWSPENDING on a
// version that is not AWSCURRENT, so RotateSecret would fail with "A
// previous rotation isn't complete".
type PendingRotationError struct {
	SecretARN string
	VersionID string
	// CurrentVersionID holds AWSCURRENT.
	CurrentVersionID string
	// SetSecretDone is true when the rotation function labelled the
	// pending version config.StageSetDone: the database already accepts
	// its password (for single-user strategies, maybe no other one).
	SetSecretDone bool
	// Strategy is the resource's rotation strategy ("" when unknown).
	Strategy string
}

func (e *PendingRotationError) Error() string {
	return fmt.Sprintf("secret %s has AWSPENDING on version %s, which is not AWSCURRENT: an earlier rotation did not finish", e.SecretARN, e.VersionID)
}

// StepError says which step of a create, update or delete failed.
type StepError struct {
	Step string // e.g. "creating the rotation function"
	Kind string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }

func (e *StepError) Unwrap() error { return e.Err }

func stepErr(step, kind string, err error) error {
	if err == nil {
		return nil
	}
	return &StepError{Step: step, Kind: kind, Err: err}
}

// ErrorCode returns the AWS error code of err, or "".
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// errorMessage returns the AWS error message of err, or "".
func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// isCode reports whether err is an AWS error with one of codes.
func isCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	for _, want := range codes {
		if c != "" && c == want {
			return true
		}
	}
	return false
}

// isCodeWithMessage reports whether err has code and a message containing part.
func isCodeWithMessage(err error, code, part string) bool {
	return isCode(err, code) && strings.Contains(errorMessage(err), part)
}

// AWS error codes the stack acts on.
const (
	codeResourceNotFound = "ResourceNotFoundException"
	codeNoSuchEntity     = "NoSuchEntity"
	codeResourceConflict = "ResourceConflictException"
	codeInvalidParameter = "InvalidParameterValueException"
	codeAccessDenied     = "AccessDeniedException"
	codeResourceExists   = "ResourceAlreadyExistsException"
	codeInvalidRequest   = "InvalidRequestException"
	codeDeleteConflict   = "DeleteConflict"
	codeMalformedPolicy  = "MalformedPolicyDocumentException"
	// SNS's codes (query protocol): a missing topic, and a denied call.
	codeSNSNotFound      = "NotFound"
	codeSNSAuthorization = "AuthorizationError"
)

// IsTopicNotFound reports SNS's answer for a topic that does not exist.
func IsTopicNotFound(err error) bool { return isCode(err, codeSNSNotFound) }

// IsTopicAccessDenied reports SNS's answer for a call the caller may not
// make on the topic (AuthorizationError, 403).
func IsTopicAccessDenied(err error) bool { return isCode(err, codeSNSAuthorization) }

// RotationFailedError says that a rotation the provider started did not end
// well: it failed (the function logged an error and stopped), or it did not
// finish within RotationWaitTimeout.
type RotationFailedError struct {
	SecretARN string
	VersionID string // the rotation's token
	LogGroup  string
	// TestOnly is set for RotateImmediately=false: Secrets Manager ran only
	// testSecret, to test the configuration.
	TestOnly bool
	// Step is the step of the function's last error line
	// (createSecret/setSecret/testSecret/finishSecret), or "" if unknown.
	Step string
	// Lines are the function's own error lines for this rotation (what it
	// logged, never a value), oldest first, repeated lines counted.
	Lines []string
	// PendingLeft says AWSPENDING is still on VersionID (not AWSCURRENT).
	PendingLeft bool
	// TimedOut says the rotation neither finished nor failed visibly
	// within RotationWaitTimeout.
	TimedOut bool
	// Stalled says nothing moved (labels, the function's lines) for
	// rotationStallPeriod while AWSPENDING stayed on the token: the
	// function failed without logging (a crash, a runtime error, a
	// timeout), or Secrets Manager gave up.
	Stalled bool
	// LogErr is why the log group could not be read, if it could not.
	LogErr error
}

func (e *RotationFailedError) Error() string {
	what := "rotation"
	if e.TestOnly {
		what = "rotation configuration test (testSecret)"
	}
	var b strings.Builder
	switch {
	case e.Stalled:
		fmt.Fprintf(&b, "the %s of secret %s (version %s) made no progress for %s", what, e.SecretARN, e.VersionID, rotationStallPeriod)
	case e.TimedOut:
		fmt.Fprintf(&b, "the %s of secret %s (version %s) did not finish within %s", what, e.SecretARN, e.VersionID, RotationWaitTimeout)
	case e.Step != "":
		fmt.Fprintf(&b, "the %s of secret %s (version %s) failed in step %s", what, e.SecretARN, e.VersionID, e.Step)
	default:
		fmt.Fprintf(&b, "the %s of secret %s (version %s) failed", what, e.SecretARN, e.VersionID)
	}
	if e.PendingLeft {
		b.WriteString("; AWSPENDING is left on version " + e.VersionID)
	}
	return b.String()
}
