// Package stack creates, reads, updates and deletes the AWS objects behind
// one rotated secret: the secret, the rotation function's IAM role and
// inline policy, its log group, the function, the invoke permission for
// Secrets Manager and the rotation schedule.
//
// It is plain Go with no Terraform types, so the provider, the acceptance
// tests and the benchmarks share one implementation. Every child's name is
// derived from the secret's name and region (see NamesFor), so import and
// destroy can find the children from the secret alone.
//
// One file per AWS object, each with its find, ensure and delete steps:
// secret.go, role.go (and its inline policy; documents in policy.go),
// loggroup.go, function.go, permission.go (the invoke permission),
// rotation.go (the schedule, and Reconfigures: whether an apply calls
// RotateSecret) and tags.go. stack.go orders the steps of Create, Update
// and Delete; read.go observes everything at once, drift.go compares it
// with a Spec and import.go reads a Spec back. Facts live once: names.go
// (derived names, tags), arn.go (ARN formats, partitions), clients.go (the
// client set), errors.go (typed errors and AWS error codes), retry.go
// (named retry windows).
package stack
