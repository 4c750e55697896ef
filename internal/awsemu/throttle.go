package awsemu

// throttle.go answers requests above AWS's documented per-operation rates
// with the service's throttling error, when Options.ThrottleAtQuotas asks
// for it. Each quota is a token bucket on the emulator clock: it holds up
// to one second of requests and refills at the quota's rate.

import (
	"sync"
	"time"
)

// quota is one documented request-rate quota; several operations may share it.
type quota struct {
	name string
	rate float64 // requests per second
}

// Documented quotas:
//   - Secrets Manager: https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html
//   - Lambda: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html ("API request rate limits")
//   - CloudWatch Logs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
//   - KMS: https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
//
// IAM and STS publish no per-operation rates; they are not throttled.
var (
	qSMRead       = &quota{"secretsmanager:GetSecretValue", 10000}
	qSMDescribe   = &quota{"secretsmanager:DescribeSecret", 40000}
	qSMList       = &quota{"secretsmanager:ListSecrets", 100}
	qSMPolicy     = &quota{"secretsmanager:resource policy APIs", 50}
	qSMWrite      = &quota{"secretsmanager:PutSecretValue/UpdateSecret/UpdateSecretVersionStage", 50}
	qSMRotate     = &quota{"secretsmanager:RotateSecret/CancelRotateSecret", 50}
	qSMTag        = &quota{"secretsmanager:TagResource/UntagResource", 50}
	qSMOther      = &quota{"secretsmanager:other control plane APIs", 50}
	qLambdaGet    = &quota{"lambda:GetFunction", 100}
	qLambdaPolicy = &quota{"lambda:GetPolicy", 15}
	qLambdaCtl    = &quota{"lambda:control plane", 15}
	qLogsGroup    = &quota{"logs:CreateLogGroup", 5}
	qLogsDelete   = &quota{"logs:DeleteLogGroup", 10}
	qLogsDescribe = &quota{"logs:DescribeLogGroups", 10}
	qLogsRetain   = &quota{"logs:PutRetentionPolicy/DeleteRetentionPolicy", 5}
	qLogsFilter   = &quota{"logs:FilterLogEvents", 5}
	qKMSCtl       = &quota{"kms:control plane", 5}
	qKMSDescribe  = &quota{"kms:DescribeKey", 2000}
)

// quotaOf returns the quota of service:op, or nil for an unthrottled one.
func quotaOf(service, op string) *quota {
	switch service {
	case "secretsmanager":
		switch op {
		case "GetSecretValue":
			return qSMRead
		case "DescribeSecret":
			return qSMDescribe
		case "ListSecrets":
			return qSMList
		case "PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy", "ValidateResourcePolicy":
			return qSMPolicy
		case "PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage":
			return qSMWrite
		case "RotateSecret", "CancelRotateSecret":
			return qSMRotate
		case "TagResource", "UntagResource":
			return qSMTag
		}
		return qSMOther
	case "lambda":
		switch op {
		case "Invoke":
			return nil // limited by concurrency, not by a request rate
		case "GetFunction":
			return qLambdaGet
		case "GetPolicy":
			return qLambdaPolicy
		}
		return qLambdaCtl
	case "logs":
		switch op {
		case "CreateLogGroup":
			return qLogsGroup
		case "DeleteLogGroup":
			return qLogsDelete
		case "DescribeLogGroups":
			return qLogsDescribe
		case "PutRetentionPolicy", "DeleteRetentionPolicy":
			return qLogsRetain
		case "FilterLogEvents":
			return qLogsFilter
		}
	case "kms":
		switch op {
		case "DescribeKey":
			return qKMSDescribe
		case "CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "EnableKey", "DisableKey", "CreateAlias", "DeleteAlias":
			return qKMSCtl
		}
	}
	return nil
}

// throttleError is the service's answer to a request over its quota.
func throttleError(service string) *APIError {
	switch service {
	case "lambda":
		return &APIError{Code: "TooManyRequestsException", Message: "Rate exceeded", HTTPStatus: 429}
	case "kms":
		return &APIError{Code: "ThrottlingException", Message: "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.", HTTPStatus: 400}
	}
	return &APIError{Code: "ThrottlingException", Message: "Rate exceeded", HTTPStatus: 400}
}

// throttler holds one token bucket per quota.
type throttler struct {
	mu      sync.Mutex
	buckets map[*quota]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// allow takes a token from q's bucket at now (emulator clock).
func (t *throttler) allow(q *quota, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil {
		t.buckets = map[*quota]*bucket{}
	}
	b := t.buckets[q]
	if b == nil {
		b = &bucket{tokens: q.rate, last: now}
		t.buckets[q] = b
	}
	if now.After(b.last) {
		b.tokens = min(q.rate, b.tokens+now.Sub(b.last).Seconds()*q.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
