package stack

import (
	"context"
	"time"
)

// Retry windows. Each one covers one named, transient AWS condition.
const (
	// roleAssumableTimeout covers IAM eventual consistency: a new or changed
	// role is not assumable by Lambda for a few seconds (AWS documents no
	// bound; observed delays reach ~1 minute). CreateFunction and
	// UpdateFunctionConfiguration return InvalidParameterValueException
	// "The role defined for the function cannot be assumed by Lambda." meanwhile.
	roleAssumableTimeout = 2 * time.Minute
	// invokePermissionTimeout covers Lambda's resource policy propagation: right
	// after AddPermission, RotateSecret can return AccessDeniedException
	// "Secrets Manager cannot invoke the specified Lambda function".
	invokePermissionTimeout = 1 * time.Minute
	// functionReadyTimeout bounds the wait for a function to leave the
	// Pending state or finish an update before the next call uses it.
	functionReadyTimeout = 5 * time.Minute

	retryFirstDelay = 250 * time.Millisecond
	retryMaxDelay   = 5 * time.Second
)

// retryWhile calls fn until it succeeds, returns an error retryable does
// not accept, or timeout passes; then the last error is returned.
func retryWhile(ctx context.Context, timeout time.Duration, retryable func(error) bool, fn func() error) error {
	deadline := time.Now().Add(timeout)
	delay := retryFirstDelay
	for {
		err := fn()
		if err == nil || !retryable(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(delay*2, retryMaxDelay)
	}
}

// isRoleNotAssumable matches the IAM-propagation error of CreateFunction
// and UpdateFunctionConfiguration.
func isRoleNotAssumable(err error) bool {
	return isCodeWithMessage(err, codeInvalidParameter, "cannot be assumed by Lambda")
}

// isInvokeDenied matches RotateSecret's error while the invoke permission propagates.
func isInvokeDenied(err error) bool {
	return isCodeWithMessage(err, codeAccessDenied, "cannot invoke the specified Lambda function")
}
