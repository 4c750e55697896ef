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

// --- Secrets Manager: CreateSecret and PutResourcePolicy (emulator realism,
// issue 8). Other services' predicates live above.

const (
	// secretNameReleaseTimeout covers Secrets Manager's background deletion:
	// after DeleteSecret with ForceDeleteWithoutRecovery "there might be a
	// short delay before the secret is permanently deleted. If you delete a
	// secret and then immediately create a secret with the same name, use
	// appropriate back off and retry logic" (DeleteSecret API reference).
	// Meanwhile CreateSecret answers InvalidRequestException "You can't
	// create this secret because a secret with this name is already
	// scheduled for deletion." AWS gives no bound; the AWS provider allows
	// a couple of minutes.
	secretNameReleaseTimeout = 2 * time.Minute
	// policyPrincipalTimeout covers IAM propagation for PutResourcePolicy: a
	// principal created moments ago (e.g. a role in the same apply) is
	// refused with MalformedPolicyDocumentException "This resource policy
	// contains an unsupported principal." until IAM has propagated it
	// (observed up to about a minute, as for Lambda's role check).
	policyPrincipalTimeout = 2 * time.Minute
)

// isNameScheduledForDeletion matches CreateSecret's error for a name whose
// secret is scheduled for deletion: transient after a forced deletion, not
// during a recovery window (createSecretRetryable tells them apart).
func isNameScheduledForDeletion(err error) bool {
	return isCodeWithMessage(err, codeInvalidRequest, "scheduled for deletion")
}

// isPrincipalNotYetKnown matches PutResourcePolicy's error for a principal
// IAM does not know (yet).
func isPrincipalNotYetKnown(err error) bool {
	return isCodeWithMessage(err, codeMalformedPolicy, "unsupported principal")
}
