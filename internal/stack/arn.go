package stack

import (
	"fmt"
	"strings"
)

// PartitionOf returns the AWS partition of a region: the one place the
// provider and the stack derive it when no ARN tells them.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	default:
		return "aws"
	}
}

// ARN formats of the children. IAM is global, so a role ARN has no region.

// FunctionARN is the ARN of a Lambda function.
func FunctionARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", partition, region, account, name)
}

// RoleARN is the ARN of an IAM role (at path /).
func RoleARN(partition, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, name)
}

// LogGroupARN is the ARN of a CloudWatch Logs group (without the ":*"
// suffix DescribeLogGroups adds).
func LogGroupARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, name)
}

// isKeyARN reports whether id is a KMS key ARN (not a key ID or an alias).
func isKeyARN(id string) bool {
	return strings.HasPrefix(id, "arn:") && strings.Contains(id, ":key/")
}

// roleNameOf is the last path element of a role ARN.
func roleNameOf(roleARN string) string {
	if i := strings.LastIndexByte(roleARN, '/'); i >= 0 {
		return roleARN[i+1:]
	}
	return roleARN
}
