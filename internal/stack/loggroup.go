package stack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// FindLogGroup finds a log group by exact name.
func FindLogGroup(ctx context.Context, c LogsAPI, name string) (*logtypes.LogGroup, error) {
	in := &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)}
	for {
		out, err := c.DescribeLogGroups(ctx, in)
		if err != nil {
			return nil, err
		}
		for i := range out.LogGroups {
			if aws.ToString(out.LogGroups[i].LogGroupName) == name {
				return &out.LogGroups[i], nil
			}
		}
		if out.NextToken == nil {
			return nil, &NotFoundError{Kind: KindLogGroup, ID: name}
		}
		in.NextToken = out.NextToken
	}
}

// ensureLogGroup creates the log group (adopting an existing one, which
// Lambda creates itself when a function with that name once ran) and sets
// its retention.
func (s *Stack) ensureLogGroup(ctx context.Context, spec Spec, st *State) error {
	name := spec.Names().LogGroup
	_, err := s.c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName: aws.String(name), Tags: spec.allTags(),
	})
	if err != nil && !isCode(err, codeResourceExists) {
		return stepErr("creating the log group", KindLogGroup, err)
	}
	st.LogGroupName = name
	return s.setRetention(ctx, name, spec.Function.LogRetentionDays)
}

func (s *Stack) setRetention(ctx context.Context, name string, days int32) error {
	var err error
	if days > 0 {
		_, err = s.c.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
			LogGroupName: aws.String(name), RetentionInDays: aws.Int32(days),
		})
	} else {
		_, err = s.c.Logs.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)})
		if isCode(err, codeResourceNotFound) {
			err = nil
		}
	}
	return stepErr("setting the log group's retention", KindLogGroup, err)
}

// deleteLogGroup deletes the log group, tolerating NotFound.
func (s *Stack) deleteLogGroup(ctx context.Context, name string) error {
	if _, err := s.c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)}); err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the log group", KindLogGroup, err)
	}
	return nil
}
