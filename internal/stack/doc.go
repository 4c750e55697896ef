// Package stack creates, reads, updates and deletes the AWS objects behind
// one rotated secret: the secret, the rotation function's IAM role and
// inline policy, its log group, the function, the invoke permission for
// Secrets Manager and the rotation schedule.
//
// It is plain Go with no Terraform types, so the provider, the acceptance
// tests and the benchmarks share one implementation. Every child's name is
// derived from the secret's name and region (see NamesFor), so import and
// destroy can find the children from the secret alone.
package stack
