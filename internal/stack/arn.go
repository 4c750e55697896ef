package stack

import (
	"fmt"
	"regexp"
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

// AlertRuleARN is the ARN of an EventBridge rule on the default event bus.
func AlertRuleARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", partition, region, account, name)
}

// TopicARNForm is the form of an SNS topic ARN, as validators and
// descriptions show it.
const TopicARNForm = "arn:PARTITION:sns:REGION:ACCOUNT_ID:TOPIC_NAME"

// topicARNRegexp: SNS topic names are 1–256 letters, digits, hyphens and
// underscores, with ".fifo" at the end of a FIFO topic (CreateTopic).
var topicARNRegexp = regexp.MustCompile(`^arn:(aws[a-z-]*):sns:([a-z]{2}(?:-[a-z]+)+-[0-9]+):([0-9]{12}):([A-Za-z0-9_-]{1,256}|[A-Za-z0-9_-]{1,251}\.fifo)$`)

// TopicARN is a parsed SNS topic ARN.
type TopicARN struct{ Partition, Region, Account, Name string }

// ParseTopicARN parses an SNS topic ARN of the form TopicARNForm.
func ParseTopicARN(s string) (TopicARN, error) {
	m := topicARNRegexp.FindStringSubmatch(s)
	if m == nil {
		return TopicARN{}, fmt.Errorf("%q is not an SNS topic ARN (%s)", s, TopicARNForm)
	}
	return TopicARN{Partition: m[1], Region: m[2], Account: m[3], Name: m[4]}, nil
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
