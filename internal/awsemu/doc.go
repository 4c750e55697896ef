// Package awsemu is a local AWS emulator, strict enough to test the
// provider and the rotation function against without an AWS account.
//
// One HTTP server listens on a loopback address only (127.0.0.1) and serves
// Secrets Manager, KMS, CloudWatch Logs and EventBridge (awsJson1_1), Lambda (restJson1),
// and IAM, STS and SNS (query protocol, XML responses), each on its real wire
// protocol, so the AWS SDK for Go v2 and the AWS CLI work against it through
// the standard endpoint override (AWS_ENDPOINT_URL or BaseEndpoint).
//
// Start it in-process with Start (tests; Options.Addr defaults to a free
// port) or as a command:
//
//	go run ./internal/awsemu/cmd/awsemu --addr 127.0.0.1:4566 [--state FILE] [--region us-east-1]
//	    [--iam-propagation-delay 2s] [--lambda-state-observations 1] [--lambda-inactive-after 336h] [--throttle-at-quotas]
//	    [--sync-rotation] [--rotation-attempts N] [--rotation-backoff 2s] [--force-delete-blocked-calls N]
//
// # Services and operations
//
//	secretsmanager (awsJson1_1)  CreateSecret DescribeSecret GetSecretValue PutSecretValue UpdateSecret
//	                             UpdateSecretVersionStage ListSecretVersionIds ListSecrets RotateSecret
//	                             CancelRotateSecret DeleteSecret RestoreSecret TagResource UntagResource
//	                             GetRandomPassword PutResourcePolicy GetResourcePolicy DeleteResourcePolicy
//	                             ValidateResourcePolicy ReplicateSecretToRegions RemoveRegionsFromReplication
//	kms (awsJson1_1)             CreateKey DescribeKey DisableKey EnableKey ScheduleKeyDeletion
//	                             CancelKeyDeletion CreateAlias DeleteAlias ListAliases ListKeys
//	sts (query)                  GetCallerIdentity AssumeRole
//	iam (query)                  roles: trust, inline and attached policies, tags (iam.go)
//	lambda (restJson1)           functions, Invoke running the zip's bootstrap, permissions, tags (lambda.go)
//	logs (awsJson1_1)            log groups, streams and events written by functions (logs.go)
//	events (awsJson1_1)          EventBridge default bus: PutRule DescribeRule DeleteRule ListRules EnableRule
//	                             DisableRule PutTargets ListTargetsByRule RemoveTargets TagResource
//	                             UntagResource ListTagsForResource PutEvents (events.go)
//	sns (query)                  CreateTopic DeleteTopic GetTopicAttributes SetTopicAttributes ListTopics
//	                             Publish Subscribe Unsubscribe ListSubscriptionsByTopic TagResource
//	                             UntagResource ListTagsForResource (sns.go)
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
//	       Every AWS API response carries this clock in its Date header, as AWS
//	       sends its own (SDKs read it: aws/middleware.GetServerTime).
//	POST   /_emu/clock/advance   {"duration":"720h"}  (a Go duration, >= 0)
//	       Moves the clock forward, purges secrets whose recovery window ended
//	       and KMS keys whose deletion date passed, then runs every scheduled
//	       rotation that is due (RotationEnabled and its rotation window has
//	       opened; NextRotationDate is the window's end) before it answers, once
//	       per secret, with Secrets Manager's retries (see below); an unfinished
//	       rotation (AWSPENDING on a version other than AWSCURRENT) is
//	       reattempted with its token.
//	       -> {"now":..., "rotations":[{"secret_arn":..., "ok":true|false, "error":"step: reason"}],
//	           "purged_secrets":[ARN...], "purged_keys":[ARN...]}
//	GET    /_emu/rotations
//	       -> every rotation that ended so far (by RotateSecret or by the clock), oldest first:
//	          [{"secret_arn","ok","error","version_id","steps":["createSecret",...],"finished",
//	            "attempts":[{"steps":[...],"error":"..."}, ...]}]
//	          RotateSecret answers before the rotation runs (as AWS does); a
//	          rotation appears here once it ended, after its retries.
//	          AdminClient.WaitRotation waits for one.
//	GET    /_emu/secretsmanager/options
//	POST   /_emu/secretsmanager/options  {"sync_rotation":false,"rotation_attempts":3,
//	                                      "rotation_backoff_ns":2000000000,"force_delete_blocked_calls":2}
//	       Secrets Manager's asynchronous behaviour (SecretsManagerOptions; a zero
//	       field takes its default, a negative back-off or call count turns it off),
//	       for rotations and deletions that start from now on. -> the options in force
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
//	GET    /_emu/events          -> every event put on the EventBridge default bus (by
//	       Secrets Manager or PutEvents), oldest first, each with its target
//	       deliveries: [{"event":{...},"deliveries":[{"rule","target_id",
//	       "target_arn","ok","error"}]}]
//	GET    /_emu/sns/published[?topic_arn=ARN]  -> the messages published to SNS
//	       topics, oldest first: [{"topic_arn","message_id","subject","message",
//	       "timestamp","publisher"}]
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
// sits on a version other than AWSCURRENT or a rotation is running ("A
// previous rotation isn't complete. That rotation will be reattempted."),
// creates the AWSPENDING placeholder version (VersionId =
// ClientRequestToken, no value) and answers. A manual value change
// (PutSecretValue or UpdateSecret moving AWSCURRENT) counts as a rotation
// for the next date. DescribeSecret hides LastRotatedDate and
// NextRotationDate while rotation is disabled.
//
// # Where Secrets Manager is asynchronous (on by default)
//
// Each behaviour below is the default of Start and of the awsemu command;
// Options.SecretsManager (flags --sync-rotation, --rotation-attempts,
// --rotation-backoff, --force-delete-blocked-calls) shortens or turns it
// off. Delays are counted on the emulator clock or in calls, never in wall
// time a test could race.
//
//   - Asynchronous rotation. RotateSecret "Configures and starts the
//     asynchronous process of rotating the secret" and answers (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html);
//     the steps createSecret, setSecret, testSecret and finishSecret run in
//     the background. Meanwhile DescribeSecret and ListSecretVersionIds show
//     AWSPENDING on the token's version. A rotation succeeds when every step
//     succeeded and AWSCURRENT ended on the token's version; LastRotatedDate
//     and NextRotationDate are then updated. GET /_emu/rotations records how
//     each rotation ended, with every attempt.
//   - Retries. "If rotation fails, Secrets Manager retries the entire
//     rotation process multiple times"
//     (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html,
//     NextRotationDate). AWS documents neither the count nor the back-off;
//     the emulator runs a failing rotation 3 times in all, waiting 2s then
//     4s on the emulator clock (a clock advance ends the wait), and stops
//     early when rotation was cancelled, the secret deleted or AWSPENDING
//     moved. After the last try AWSPENDING stays where it was, as on AWS
//     ("When rotation is unsuccessful, the AWSPENDING staging label might be
//     attached to an empty secret version", RotateSecret).
//   - RotateImmediately=false "tests the rotation configuration by running
//     the testSecret step of the Lambda rotation function. The test creates
//     an AWSPENDING version of the secret and then removes it" (RotateSecret).
//     AWS is silent on a failing test; the emulator takes the harsher
//     reading: it is not retried (it is a test, not a rotation) and its
//     AWSPENDING placeholder stays, so the next RotateSecret is refused
//     until it is cleared.
//   - AWSPENDING is removed from the new AWSCURRENT version when a rotation
//     completes, as AWS's backend does
//     (https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas/issues/145).
//   - Background deletion. "Secrets Manager performs the actual deletion
//     with an asynchronous background process, so there might be a short
//     delay before the secret is permanently deleted" (ForceDeleteWithoutRecovery
//     in https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html);
//     the next 2 CreateSecret calls for the name answer
//     InvalidRequestException "You can't create this secret because a
//     secret with this name is already scheduled for deletion."
//
// # Regions and replicas
//
// The region of a request is its SigV4 credential scope's. Secrets Manager
// keeps each secret in the region it was created in: a secret is invisible
// (ResourceNotFoundException, absent from ListSecrets) from any other
// region, and the same name can be used in each region. KMS CreateKey
// makes the key's ARN in the scope's region, and a key of another region
// than Options.Region resolves by its full ARN (or key ID) only; aliases
// and the other services (IAM, Lambda, Logs, EventBridge, SNS) serve one
// region, Options.Region, whatever the scope; rotation functions run there.
//
// Multi-Region secrets (secretsmanager_replica.go) follow the Secrets
// Manager user guide ("Replicate secrets across Regions", "Promote a replica
// secret to a standalone secret") and API reference:
//   - CreateSecret AddReplicaRegions and ReplicateSecretToRegions start
//     the replication; DescribeSecret shows ReplicationStatus (Region,
//     KmsKeyId — alias/aws/secretsmanager of the replica's region when none
//     is given —, Status, StatusMessage) and PrimaryRegion (on the primary
//     and on each replica).
//   - Harsher reading where AWS documents no duration: replication is
//     asynchronous. A new replica is InProgress, and its region holds
//     nothing, for the first 2 DescribeSecret calls of the primary
//     (smReplicationPolls) or until the emulator clock passed 10s
//     (smReplicationDelay); only then it is InSync or Failed. A client must
//     poll DescribeSecret.
//   - A replica has the primary's ARN with the region swapped, and every
//     version and staging label of the primary, description, tags and
//     resource policy, each version encrypted with the replica's key. Every
//     later change in the primary (PutSecretValue, UpdateSecretVersionStage,
//     a rotation's steps) reaches the in-sync replicas before the next
//     request is served. Rotation settings stay on the primary: rotation
//     runs only in the primary's region.
//   - Replicas are read-only: every write (PutSecretValue, UpdateSecret,
//     UpdateSecretVersionStage, RotateSecret, CancelRotateSecret,
//     DeleteSecret, RestoreSecret, TagResource, UntagResource,
//     Put/DeleteResourcePolicy, replication changes) answers
//     InvalidParameterException "Operation not permitted on a replica
//     secret. Call must be made in primary secret's region." (AWS's answer,
//     as reported in gruntwork-io/cloud-nuke#435). The emulator does not
//     implement StopReplicationToReplica (promotion) nor a replica's own
//     KMS key change: to change a replica's key, remove the region and add
//     it again.
//   - DeleteSecret on a primary with replicas answers
//     InvalidParameterException "You can't delete secret ARN that still has
//     replica regions [r1, r2]." (same source); RemoveRegionsFromReplication
//     deletes the replicas at once.
//   - A replica region that already holds a secret of that name ends
//     Failed (StatusMessage "Replication failed: Secret name already exists
//     in region R. ..."; AWS documents the case, not its wording) unless
//     ForceOverwriteReplicaSecret. A replica's KMS key must be a usable key
//     of the replica's region (each region needs its own key): a key of
//     another region, or a missing, disabled or pending-deletion key, ends
//     Failed with a StatusMessage that says so.
//   - Region names are checked against the API model's pattern only; the
//     provider checks them against the partition's region list.
//
// # KMS keys, resource policies and schedules
//
// Each version keeps the key it was encrypted with and is decrypted with
// it. A new key set with UpdateSecret encrypts new versions and
// re-encrypts AWSCURRENT, AWSPENDING and AWSPREVIOUS
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_update-encryption-key.html),
// but only when the caller has kms:Encrypt on the new key and kms:Decrypt
// on the old one: "If you don't have kms:Encrypt permission to the new key,
// Secrets Manager does not re-encrypt existing secret versions with the new
// key" (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecret.html).
// A version whose key is disabled, missing or pending deletion fails reads
// with DecryptionFailure; writes under such a key fail with
// EncryptionFailure; role callers also need kms:Decrypt (reads) or
// kms:GenerateDataKey (writes) on the key, with
// kms:EncryptionContext:SecretARN set to the secret's ARN, else
// AccessDeniedException "Access to KMS is not allowed".
//
// A secret's resource policy is evaluated with the caller's policies: an
// explicit Deny naming the caller (its ARN, role, account or "*") refuses
// every caller, the account administrator included; an Allow grants a role
// what its own policies do not (same account)
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
// PutResourcePolicy (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html)
// answers MalformedPolicyDocumentException "This resource policy contains
// an unsupported principal." for an IAM role ARN that does not exist or
// was created less than the IAM propagation delay ago, and with
// BlockPublicPolicy, PublicPolicyException for an Allow with a wildcard
// principal not pinned by a condition on aws:PrincipalAccount,
// aws:SourceAccount, aws:PrincipalOrgID and the like.
//
// DescribeSecret reports AutomaticallyAfterDays for every schedule: "In
// DescribeSecret and ListSecrets, this value is calculated from the
// rotation schedule"
// (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html).
// rate(N days) gives N; for other expressions AWS does not say how, and the
// emulator reports the whole days between the next two windows (at least
// 1: rate(4 hours) and a daily cron give 1, a weekly cron 7). Schedules are
// judged by package schedule, whose tests take their cases from AWS's
// "Rotation schedules" page.
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
// # EventBridge, SNS and the rotation events
//
// Secrets Manager reports rotations to CloudTrail as AWS service events,
// which EventBridge receives on the default bus as "AWS Service Event via
// CloudTrail" from source "aws.secretsmanager" (Secrets Manager User
// Guide, "AWS CloudTrail entries for Secrets Manager" and "Match Secrets
// Manager events with EventBridge":
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html,
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html).
// The emulator emits RotationStarted when a rotation attempt starts, then
// RotationSucceeded or RotationFailed, for every attempt, including
// Secrets Manager's retries of a failing rotation (a failed rotation that
// is retried twice is three RotationFailed events: the harsher reading,
// since AWS does not say whether retries are reported); for RotateImmediately=false (only
// testSecret runs) the same names with the prefix Test. RotationAbandoned
// is emitted when a manual new AWSCURRENT value (PutSecretValue,
// UpdateSecret) meets an unfinished rotation: Secrets Manager then removes
// AWSPENDING from the unfinished version so that later rotations can
// start, as the CloudTrail entries page documents; a rotation still
// running is left alone. The event's detail is a CloudTrail record with
// eventSource secretsmanager.amazonaws.com, eventType AwsServiceEvent,
// readOnly false, requestParameters and responseElements null, and the
// secret's ARN in additionalEventData.SecretId (the key the
// monitoring-eventbridge examples match a rotation event's secret by).
// AWS does not document a full sample of these records; fields beyond
// those are CloudTrail's common ones (userIdentity.invokedBy, eventID, …).
//
// Rules match with AWS's event-pattern language (EventBridge User Guide,
// "Event patterns" and "Content filtering": literals, prefix, suffix,
// equals-ignore-case, anything-but, exists, numeric, wildcard, $or); a
// pattern the emulator cannot evaluate (cidr) is refused with
// InvalidEventPatternException rather than matched loosely. A rule in
// state ENABLED skips read-only management events delivered through
// CloudTrail; ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS takes them
// (eb-service-event-cloudtrail-management.html). A rule holds at most 5
// targets; DeleteRule refuses a rule with targets ("Rule can't be deleted
// since it has targets.") and succeeds for a missing one, as the API
// reference says. Matched events are delivered at once (on AWS, within
// seconds) and only to SNS topics; a delivery SNS refuses counts as a
// failed invocation and is visible only in GET /_emu/events, as AWS shows
// it only in the FailedInvocations metric.
//
// SNS gives a new topic its default policy (Id __default_policy_ID: the
// owner account, condition AWS:SourceOwner), which lets no service
// principal publish. EventBridge's delivery is an sns:Publish by
// events.amazonaws.com with aws:SourceArn set to the rule's ARN and
// aws:SourceAccount to the account, evaluated against the topic policy
// (EventBridge User Guide, "Using resource-based policies for Amazon
// EventBridge", Amazon SNS permissions). Without a statement allowing it
// the event is dropped, and so it is for a topic encrypted with the AWS
// managed key alias/aws/sns, whose key policy cannot admit EventBridge
// (KMS.AccessDeniedException; a customer managed key's policy is not
// evaluated). Publish records each message (up to 500 per topic)
// for GET /_emu/sns/published and delivers nothing to subscribers; email
// and http(s) subscriptions stay "pending confirmation". DeleteTopic of a
// missing topic succeeds, as documented. Denials are SNS's
// AuthorizationError (403); a missing topic is NotFound (404).
//
// # Persistence
//
// State lives in memory. With Options.StateFile (--state) it is loaded at
// start and saved shortly after each call and on Close, so a demo can be
// stopped and re-run.
package awsemu
