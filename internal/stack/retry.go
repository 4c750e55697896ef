package stack

import (
	"context"
	"time"
)

// Retry windows. Each one covers named, transient AWS conditions; the
// predicates below list every message AWS (or the AWS provider, which has
// met them in production) documents for them.
const (
	// roleAssumableTimeout covers IAM eventual consistency for Lambda: a new
	// or changed role, trust policy or role policy is not visible to Lambda
	// for a few seconds (AWS documents no bound; observed delays reach about
	// a minute). CreateFunction and UpdateFunctionConfiguration answer
	// InvalidParameterValueException "The role defined for the function
	// cannot be assumed by Lambda." or, for a function in a VPC, "The
	// provided execution role does not have permissions to call
	// CreateNetworkInterface on EC2" meanwhile.
	roleAssumableTimeout = 2 * time.Minute
	// invokePermissionTimeout covers the propagation of the function's
	// resource policy and of IAM: right after AddPermission, RotateSecret can
	// answer AccessDeniedException "Secrets Manager cannot invoke the
	// specified Lambda function", and InvalidRequestException while Secrets
	// Manager cannot yet assume a new role.
	invokePermissionTimeout = 1 * time.Minute
	// functionReadyTimeout bounds the wait for a function to leave the
	// Pending state or finish an update before the next call uses it.
	functionReadyTimeout = 5 * time.Minute
	// functionBusyTimeout covers Lambda's ResourceConflictException "The
	// operation cannot be performed at this time. An update is in progress
	// for resource: ..." / "... The function is currently in the following
	// state: Pending" that a write may still meet after the SDK waiter saw
	// the function ready (another writer, or a state change in between).
	functionBusyTimeout = 2 * time.Minute
	// roleDeleteConflictTimeout covers IAM eventual consistency on delete:
	// DeleteRole right after DeleteRolePolicy can answer DeleteConflict
	// "Cannot delete entity, must delete policies first." until the
	// policy's removal has propagated.
	roleDeleteConflictTimeout = 1 * time.Minute

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

// isRoleNotAssumable matches the IAM-propagation errors of CreateFunction
// and UpdateFunctionConfiguration (roleAssumableTimeout).
func isRoleNotAssumable(err error) bool {
	return isCodeWithMessage(err, codeInvalidParameter, "cannot be assumed by Lambda") ||
		isCodeWithMessage(err, codeInvalidParameter, "The provided execution role does not have permissions")
}

// isFunctionBusy matches Lambda's answer to a write while the function is
// Pending or an update is in progress (functionBusyTimeout).
func isFunctionBusy(err error) bool {
	return isCodeWithMessage(err, codeResourceConflict, "The operation cannot be performed at this time")
}

// isFunctionConfigTransient is UpdateFunctionConfiguration's predicate:
// the role has not propagated, or the function is busy.
func isFunctionConfigTransient(err error) bool {
	return isRoleNotAssumable(err) || isFunctionBusy(err)
}

// isInvokeDenied matches RotateSecret's errors while the invoke permission
// or a new role propagates (invokePermissionTimeout).
func isInvokeDenied(err error) bool {
	return isCodeWithMessage(err, codeAccessDenied, "cannot invoke the specified Lambda function") ||
		isCodeWithMessage(err, codeInvalidRequest, "unable to assume role")
}

// isRoleDeleteConflict matches DeleteRole while the deletion of the role's
// policies propagates (roleDeleteConflictTimeout).
func isRoleDeleteConflict(err error) bool {
	return isCodeWithMessage(err, codeDeleteConflict, "must delete policies first") ||
		isCodeWithMessage(err, codeDeleteConflict, "must detach all policies first")
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
	// replicationTimeout bounds the wait for replicas to leave InProgress
	// (ReplicationStatusType.Status). Replication is asynchronous and AWS
	// documents no duration; a replica of a small secret is usually in sync
	// within seconds.
	replicationTimeout = 5 * time.Minute
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
