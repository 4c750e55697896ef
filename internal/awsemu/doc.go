// Package awsemu is a local AWS emulator, strict enough to test the
// provider and the rotation function against without an AWS account.
//
// One HTTP server listens on a loopback address only (127.0.0.1) and serves
// Secrets Manager, KMS and CloudWatch Logs (awsJson1_1), Lambda (restJson1),
// and IAM and STS (query protocol, XML responses), each on its real wire
// protocol, so the AWS SDK for Go v2 and the AWS CLI work against it through
// the standard endpoint override (AWS_ENDPOINT_URL or BaseEndpoint).
//
// Start it in-process with Start (tests; Options.Addr defaults to a free
// port) or as a command:
//
//	go run ./internal/awsemu/cmd/awsemu --addr 127.0.0.1:4566 [--state FILE] [--region us-east-1]
//	    [--iam-propagation-delay 2s] [--lambda-state-observations 1] [--lambda-inactive-after 336h] [--throttle-at-quotas]
//
// # Services and operations
//
//	secretsmanager (awsJson1_1)  CreateSecret DescribeSecret GetSecretValue PutSecretValue UpdateSecret
//	                             UpdateSecretVersionStage ListSecretVersionIds ListSecrets RotateSecret
//	                             CancelRotateSecret DeleteSecret RestoreSecret TagResource UntagResource
//	                             GetRandomPassword PutResourcePolicy GetResourcePolicy DeleteResourcePolicy
//	                             ValidateResourcePolicy
//	kms (awsJson1_1)             CreateKey DescribeKey DisableKey EnableKey ScheduleKeyDeletion
//	                             CancelKeyDeletion CreateAlias DeleteAlias ListAliases ListKeys
//	sts (query)                  GetCallerIdentity AssumeRole
//	iam (query)                  roles: trust, inline and attached policies, tags (iam.go)
//	lambda (restJson1)           functions, Invoke running the zip's bootstrap, permissions, tags (lambda.go)
//	logs (awsJson1_1)            log groups, streams and events written by functions (logs.go)
//
// # Requests and authentication
//
// Every request must be signed with SigV4. The service is the one named by
// the Authorization header's credential scope
// (Credential=AKID/DATE/REGION/SERVICE/aws4_request). An unsigned request is
// rejected as AWS rejects it (MissingAuthenticationTokenException, or
// MissingAuthenticationToken for the query protocol). Temporary credentials
// issued by the emulator (to Lambda functions for their role, or by
// STS AssumeRole) are verified in full, signature and X-Amz-Security-Token
// (InvalidSignatureException / SignatureDoesNotMatch,
// UnrecognizedClientException / InvalidClientTokenId); calls made with them
// are authorised against the role's inline and attached policies. Any other
// access key (e.g. test/test) is the account's administrator
// (arn:aws:iam::ACCOUNT:root) and is not checked further.
//
// Errors use each protocol's error shape and HTTP status, so the SDKs map
// them to their typed errors (e.g. *types.ResourceNotFoundException).
//
// # Admin endpoints
//
// The admin endpoints live under /_emu/ on the same port, take and return
// JSON, and need no signature. AdminClient (NewAdminClient) wraps them.
//
//	GET    /_emu/health
//	       -> {"status":"ok","account_id":"123456789012","region":"us-east-1"}
//	GET    /_emu/clock
//	       -> {"now":"2026-01-01T00:00:00Z"}  the emulator clock (real time plus the advanced offset)
//	POST   /_emu/clock/advance   {"duration":"720h"}  (a Go duration, >= 0)
//	       Moves the clock forward, purges secrets whose recovery window ended
//	       and KMS keys whose deletion date passed, then runs every scheduled
//	       rotation that is due (RotationEnabled and its rotation window has
//	       opened; NextRotationDate is the window's end) synchronously, once
//	       per secret; an unfinished rotation (AWSPENDING
//	       on a version other than AWSCURRENT) is reattempted with its token.
//	       -> {"now":..., "rotations":[{"secret_arn":..., "ok":true|false, "error":"step: reason"}],
//	           "purged_secrets":[ARN...], "purged_keys":[ARN...]}
//	GET    /_emu/rotations
//	       -> every rotation run so far (by RotateSecret or by the clock), oldest first:
//	          [{"secret_arn","ok","error","version_id","steps":["createSecret",...],"finished"}]
//	          RotateSecret answers 200 even when a step fails (AWS rotates
//	          asynchronously); this endpoint says how the rotation ended.
//	GET    /_emu/calls
//	       -> {"secretsmanager:DescribeSecret":2, "lambda:Invoke":4, ...}  requests per "service:Operation"
//	          (service is the signing name; injected faults count too; the
//	          invocations Secrets Manager makes itself during a rotation are
//	          not API requests and are not counted, the function's own calls are)
//	POST   /_emu/calls/reset     (also DELETE /_emu/calls)  zeroes the counts
//	GET    /_emu/faults          -> the pending injected faults
//	POST   /_emu/faults          {"service":"lambda","operation":"CreateFunction","count":1,
//	                              "code":"ThrottlingException","status":400,"message":"Rate exceeded"}
//	       The next count calls (default 1; -1 = until cleared) of the operation
//	       ("" or "*" = any operation of the service) fail with that error before
//	       the handler runs. code defaults to ThrottlingException (InternalFailure
//	       when status >= 500); status defaults to 400, or 500 for
//	       InternalFailure-like codes.
//	DELETE /_emu/faults          removes every injected fault
//	GET    /_emu/iam/propagation-delay  -> {"delay":"2s"}
//	POST   /_emu/iam/propagation-delay  {"delay":"3s"}
//	       The IAM propagation delay (emulator clock; "0s" turns it off); see
//	       "AWS's timing and consistency" below.
//
// Unknown admin paths answer 404 with {"error": ...}.
//
// # Secrets Manager semantics
//
// Staging labels sit on at most one version; PutSecretValue without
// VersionStages moves AWSCURRENT and AWSPREVIOUS follows the old current; a
// reused ClientRequestToken with the same value is a no-op and with a
// different value ResourceExistsException; UpdateSecretVersionStage requires
// RemoveFromVersionId when the label is attached elsewhere and it must name
// the current holder; AWSCURRENT can only be moved; unlabeled versions are
// deprecated and removed beyond 100 versions, never when younger than 24 h.
//
// RotateSecret validates RotationRules (package schedule), checks that the
// function's resource policy lets secretsmanager.amazonaws.com invoke it
// (SourceAccount/SourceArn conditions included), refuses while AWSPENDING
// sits on a version other than AWSCURRENT ("A previous rotation isn't
// complete. That rotation will be reattempted."), creates the AWSPENDING
// placeholder version (VersionId = ClientRequestToken, no value) and invokes
// the function with createSecret, setSecret, testSecret and finishSecret (or
// testSecret only, then removes the placeholder, with RotateImmediately
// false). The rotation runs before RotateSecret answers. A failing step
// stops it and leaves the state as it is. A rotation succeeds when every
// step succeeded and AWSCURRENT ended on the new version; LastRotatedDate
// and NextRotationDate are then updated. A manual value change
// (PutSecretValue or UpdateSecret moving AWSCURRENT) counts as a rotation
// for the next date. DescribeSecret shows a rate(N days) expression also as
// AutomaticallyAfterDays N, as AWS does, and hides LastRotatedDate and
// NextRotationDate while rotation is disabled.
//
// A secret whose KmsKeyId names a disabled, missing or pending-deletion key
// fails reads with DecryptionFailure and writes with EncryptionFailure; role
// callers also need kms:Decrypt (reads) or kms:GenerateDataKey (writes) on
// the key, with kms:EncryptionContext:SecretARN set to the secret's ARN,
// else AccessDeniedException "Access to KMS is not allowed".
//
// # Lambda, IAM and Logs semantics
//
// Invoke runs the uploaded zip for real: it is unpacked once per code
// hash, and each invocation starts a fresh bootstrap process (a cold
// start, as the provided.al2023 runtime does) with the function's
// Environment, AWS_LAMBDA_RUNTIME_API pointing at a per-invocation Runtime
// API on loopback, AWS_REGION, AWS_ENDPOINT_URL (this emulator),
// AWS_LAMBDA_FUNCTION_NAME/_VERSION/_MEMORY_SIZE, _HANDLER,
// LAMBDA_TASK_ROOT, and temporary credentials of the function's role. An
// arm64 function runs under qemu-aarch64-static when the host is not arm64
// (Debian package qemu-user-static); without it the invoke fails saying so.
// The timeout ends the process with AWS's Sandbox.Timedout error ("Task
// timed out after N.00 seconds"); a native process over MemorySize gets
// Runtime.OutOfMemory. A failure answers X-Amz-Function-Error: Unhandled
// with {"errorMessage","errorType"}. The process's output, with START, END
// and REPORT lines (Duration, Max Memory Used, Init Duration), goes to
// /aws/lambda/NAME, but only when the role allows logs:CreateLogStream and
// logs:PutLogEvents there, as on AWS. FilterLogEvents takes plain terms,
// "quoted phrases", -exclusions and ?alternatives.
//
// CreateFunction and UpdateFunctionConfiguration check that Lambda may
// assume the role (trust policy, aws:SourceAccount, IAM propagation
// below). STS AssumeRole checks the role's trust policy against the caller.
// Policies are evaluated with Action/NotAction, Resource/NotResource
// wildcards, explicit Deny first, and the String, Arn, Bool and Null
// condition operators with IfExists and ForAnyValue/ForAllValues. The
// AWS-managed policies AWSLambdaBasicExecutionRole,
// AWSLambdaVPCAccessExecutionRole, AdministratorAccess and a reduced
// ReadOnlyAccess are known; other managed policy ARNs are NoSuchEntity.
// Credentials issued to roles are remembered for 12 hours of wall time.
//
// # AWS's timing and consistency
//
// These are on by default (Start and the awsemu command); Options and the
// command's flags shorten or turn them off. Every delay is counted in calls
// or on the emulator clock, never in wall time, so machine load cannot
// change an answer; tests end a long delay with AdvanceClock.
//
// IAM eventual consistency (Options.IAMPropagationDelay, default
// DefaultIAMPropagationDelay = 2s). IAM: "changes that I make are not
// always immediately visible ... can take time to propagate"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
// Every write to a role (CreateRole, UpdateAssumeRolePolicy,
// PutRolePolicy, DeleteRolePolicy, Attach/DetachRolePolicy) is a new
// version; the rest of AWS sees the newest version that is at least the
// delay old (a new role: none). So, during the delay: CreateFunction and
// UpdateFunctionConfiguration answer InvalidParameterValueException "The
// role defined for the function cannot be assumed by Lambda."; a function
// in a VPC whose role just gained the network permissions gets "The
// provided execution role does not have permissions to call
// CreateNetworkInterface on EC2" (the messages the AWS provider's
// retryFunctionOp retries); calls made with the role's credentials (the
// function's own, or STS AssumeRole sessions) are authorised against the
// old policies (AccessDeniedException); STS AssumeRole sees the old trust
// policy; DeleteRole right after DeleteRolePolicy answers DeleteConflict
// "Cannot delete entity, must delete policies first."; and a statement
// AddPermission adds to a function's resource policy is not yet seen by
// Secrets Manager, so RotateSecret answers AccessDeniedException "Secrets
// Manager cannot invoke the specified Lambda function" (the answer the AWS
// provider's aws_secretsmanager_secret_rotation retries). IAM's own reads
// (GetRole, GetRolePolicy) are immediate: the harsher reading for writers
// would be stale reads too, which AWS does not document.
//
// Lambda function states (Options.Lambda), as
// https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
// documents them: after CreateFunction the function is Pending
// (StateReasonCode Creating) and "any invocations or other API actions
// that operate on the function will fail"; after UpdateFunctionCode or
// UpdateFunctionConfiguration LastUpdateStatus is InProgress and
// UpdateFunctionCode, UpdateFunctionConfiguration and TagResource fail (the
// harsher reading adds AddPermission and UntagResource, which declare that
// error in AWS's API model; invocations go on). Refusals are ResourceConflictException with AWS's
// messages, "The operation cannot be performed at this time. The function
// is currently in the following state: Pending" and "The operation cannot
// be performed at this time. An update is in progress for resource: ARN".
// A window lasts LambdaTiming.Observations calls (default 1: one
// GetFunction/GetFunctionConfiguration or refused call sees it, the next
// call does not, so the SDK waiters FunctionActiveV2 / FunctionUpdatedV2
// poll once) or LambdaTiming.Window of emulator clock. A function not
// created, updated or invoked for LambdaTiming.InactiveAfter (default 14
// days; AWS documents no figure) is Inactive (StateReasonCode Idle): "when
// you try to invoke a function that is inactive, the invocation fails and
// Lambda sets the function to pending state until the function resources
// are recreated" — its next invocation (by Invoke or by Secrets Manager)
// answers ResourceConflictException "... in the following state:
// Inactive" once and the function is Pending (Restoring). Not modelled:
// invocations during an update run the new code at once (AWS runs the
// previous code until the update completes), and the Failed state.
//
// Throttling. Fault injection (above) answers any error on request. With
// Options.ThrottleAtQuotas (--throttle-at-quotas) requests above AWS's
// documented per-operation rates are answered as AWS does: Secrets
// Manager and CloudWatch Logs ThrottlingException "Rate exceeded" (400),
// KMS ThrottlingException (400), Lambda TooManyRequestsException "Rate
// exceeded" (429). The rates (throttle.go) come from
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html,
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html and
// https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html;
// each is a token bucket on the emulator clock holding one second of
// requests. IAM and STS publish no per-operation rates and are not
// throttled.
//
// # AWS's API models as an oracle
//
// Options.Validator sees every exchange. ModelCheck (modelcheck.go) checks
// them against AWS's own published API models, the
// models/apis/<service>/<version>/api-2.json files that the
// github.com/aws/aws-sdk-go (v1) module ships (read as data from the module
// cache; no code of it is linked): a request the emulator accepted must
// satisfy the operation's input shape (required members, types, enums,
// lengths, ranges, patterns), a response its output shape (and carry no
// member the model lacks), and an error must be one the operation declares
// (with its HTTP status) or one of AWS's common errors. Every in-process
// emulator in the tests runs with ModelCheckFor(t): a violation fails the
// test that caused it.
//
// # Persistence
//
// State lives in memory. With Options.StateFile (--state) it is loaded at
// start and saved shortly after each call and on Close, so a demo can be
// stopped and re-run.
package awsemu
