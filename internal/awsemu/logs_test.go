package awsemu

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"
)

func TestLogsGroups(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	for _, n := range []string{"/aws/lambda/a", "/aws/lambda/b", "/other"} {
		if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n), Tags: map[string]string{"n": n}}); err != nil {
			t.Fatalf("CreateLogGroup %s: %v", n, err)
		}
	}
	var exists *logstypes.ResourceAlreadyExistsException
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/other")}); !errors.As(err, &exists) {
		t.Errorf("CreateLogGroup duplicate: err = %v, want ResourceAlreadyExistsException", err)
	}
	if _, err := c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/a"), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatalf("PutRetentionPolicy: %v", err)
	}
	var invalid *logstypes.InvalidParameterException
	if _, err := c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/a"), RetentionInDays: aws.Int32(2)}); !errors.As(err, &invalid) {
		t.Errorf("PutRetentionPolicy 2 days: err = %v, want InvalidParameterException", err)
	}
	var notFound *logstypes.ResourceNotFoundException
	if _, err := c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/missing"), RetentionInDays: aws.Int32(7)}); !errors.As(err, &notFound) {
		t.Errorf("PutRetentionPolicy on a missing group: err = %v, want ResourceNotFoundException", err)
	}

	out, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/")})
	if err != nil {
		t.Fatalf("DescribeLogGroups: %v", err)
	}
	type group struct {
		Name, Arn string
		Retention int32
	}
	var got []group
	for _, g := range out.LogGroups {
		got = append(got, group{aws.ToString(g.LogGroupName), aws.ToString(g.Arn), aws.ToInt32(g.RetentionInDays)})
	}
	want := []group{
		{"/aws/lambda/a", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a:*", 14},
		{"/aws/lambda/b", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/b:*", 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DescribeLogGroups (-want +got):\n%s", diff)
	}

	groupARN := "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/a"
	if _, err := c.logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(groupARN), Tags: map[string]string{"team": "sec"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	tags, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(groupARN)})
	if err != nil {
		t.Fatalf("ListTagsForResource: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"n": "/aws/lambda/a", "team": "sec"}, tags.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	if _, err := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/other")}); err != nil {
		t.Fatalf("DeleteLogGroup: %v", err)
	}
	if _, err := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/other")}); !errors.As(err, &notFound) {
		t.Errorf("DeleteLogGroup twice: err = %v, want ResourceNotFoundException", err)
	}
}

func TestLogsEvents(t *testing.T) {
	t.Parallel()
	c := lamTestAdmin(t, Options{})
	ctx := context.Background()
	const g = "/app"
	if _, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
		t.Fatal(err)
	}
	now := c.srv.Now().UnixMilli()
	put := map[string][]string{
		"s1": {"STEP createSecret tok", "hello world", "STEP finishSecret tok"},
		"s2": {"STEP setSecret tok", "ERROR boom"},
	}
	for i, s := range policySortedKeys(put) {
		if _, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
		var evs []logstypes.InputLogEvent
		for j, m := range put[s] {
			// s1 at t, t+2, t+4; s2 at t+1, t+3: interleaved in time.
			evs = append(evs, logstypes.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(now + int64(2*j+i))})
		}
		if _, err := c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(s), LogEvents: evs}); err != nil {
			t.Fatalf("PutLogEvents: %v", err)
		}
	}
	var exists *logstypes.ResourceAlreadyExistsException
	if _, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s1")}); !errors.As(err, &exists) {
		t.Errorf("CreateLogStream duplicate: err = %v, want ResourceAlreadyExistsException", err)
	}

	tests := []struct {
		pattern string
		want    []string
	}{
		{"STEP", []string{"STEP createSecret tok", "STEP setSecret tok", "STEP finishSecret tok"}},
		{"STEP -finishSecret", []string{"STEP createSecret tok", "STEP setSecret tok"}},
		{`"hello world"`, []string{"hello world"}},
		{"?boom ?hello", []string{"hello world", "ERROR boom"}},
		{"", []string{"STEP createSecret tok", "STEP setSecret tok", "hello world", "ERROR boom", "STEP finishSecret tok"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			out, err := c.logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g), FilterPattern: aws.String(tt.pattern)})
			if err != nil {
				t.Fatalf("FilterLogEvents: %v", err)
			}
			var got []string
			for _, e := range out.Events {
				got = append(got, aws.ToString(e.Message))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}

	ge, err := c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s1"), StartFromHead: aws.Bool(true), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatalf("GetLogEvents: %v", err)
	}
	var got []string
	for _, e := range ge.Events {
		got = append(got, aws.ToString(e.Message))
	}
	next, err := c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s1"), NextToken: ge.NextForwardToken, Limit: aws.Int32(2)})
	if err != nil {
		t.Fatalf("GetLogEvents page 2: %v", err)
	}
	for _, e := range next.Events {
		got = append(got, aws.ToString(e.Message))
	}
	if diff := cmp.Diff(put["s1"], got); diff != "" {
		t.Errorf("GetLogEvents pages (-want +got):\n%s", diff)
	}
	var notFound *logstypes.ResourceNotFoundException
	if _, err := c.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("nope")}); !errors.As(err, &notFound) {
		t.Errorf("GetLogEvents of a missing stream: err = %v, want ResourceNotFoundException", err)
	}
}
