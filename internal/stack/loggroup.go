package stack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
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

// ensureLogGroup creates the log group with its tags, or uses an existing
// one: one tagged as ours gets its tags converged; an untagged one (Lambda
// creates it itself when a function of that name once ran) is used as is
// and left by destroy. Then it sets the retention.
func (s *Stack) ensureLogGroup(ctx context.Context, spec Spec, st *State) error {
	name, want := spec.Names().LogGroup, spec.allTags()
	_, err := s.c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: want})
	switch {
	case isCode(err, codeResourceExists):
		have, err := s.logGroupTags(ctx, spec.logGroupARN())
		if err != nil {
			return err
		}
		if !isOwned(have) {
			// Not ours (Lambda's own, or a user's): use it, never claim it,
			// so destroy leaves it.
			tflog.Warn(ctx, "using a log group this provider does not own", map[string]any{"log_group": name})
			break
		}
		if err := s.tagLogGroup(ctx, spec.logGroupARN(), have, want); err != nil {
			return err
		}
	case err != nil:
		return stepErr("creating the log group", KindLogGroup, err)
	}
	st.LogGroupName = name
	return s.setRetention(ctx, name, spec.Function.LogRetentionDays)
}

// logGroupTags lists the log group's tags.
func (s *Stack) logGroupTags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := s.c.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if isCode(err, codeResourceNotFound) {
		return nil, &NotFoundError{Kind: KindLogGroup, ID: arn, Err: err}
	}
	if err != nil {
		return nil, stepErr("reading the log group's tags", KindLogGroup, err)
	}
	return out.Tags, nil
}

// tagLogGroup converges the log group's tags from have to want.
func (s *Stack) tagLogGroup(ctx context.Context, arn string, have, want map[string]string) error {
	if add := changedTags(have, want); len(add) > 0 {
		if _, err := s.c.Logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: add}); err != nil {
			return stepErr("tagging the log group", KindLogGroup, err)
		}
	}
	if rm := removedTags(have, want); len(rm) > 0 {
		if _, err := s.c.Logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: rm}); err != nil {
			return stepErr("untagging the log group", KindLogGroup, err)
		}
	}
	return nil
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

// deleteOwnedLogGroup deletes the log group when it carries ManagedByTag;
// one without it is not ours and is left alone.
func (s *Stack) deleteOwnedLogGroup(ctx context.Context, spec Spec) error {
	tags, err := s.logGroupTags(ctx, spec.logGroupARN())
	switch {
	case IsNotFound(err):
		return nil
	case err != nil:
		return err
	case !isOwned(tags):
		tflog.Warn(ctx, "leaving a log group this provider does not own", map[string]any{"log_group": spec.Names().LogGroup})
		return nil
	}
	_, err = s.c.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(spec.Names().LogGroup)})
	if err != nil && !isCode(err, codeResourceNotFound) {
		return stepErr("deleting the log group", KindLogGroup, err)
	}
	return nil
}
