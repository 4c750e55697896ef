package stack

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// awsTagPrefix prefixes the tags AWS itself sets; they cannot be changed.
const awsTagPrefix = "aws:"

// allTags are the tags every object gets: the user's plus ManagedByTag
// (and, on every object, the schedule kind import reads back).
func (s Spec) allTags() map[string]string {
	out := maps.Clone(s.Tags)
	if out == nil {
		out = map[string]string{}
	}
	out[ManagedByTag] = ManagedByValue
	if s.Rotation.ScheduleExpression != "" {
		out[ScheduleKindTag] = ScheduleKindExpression
	} else if s.Rotation.AutomaticallyAfterDays != 0 {
		out[ScheduleKindTag] = ScheduleKindDays
	}
	return out
}

// UserTags drops the tags the provider owns (rotator:*) and AWS's own (aws:*).
func UserTags(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		if strings.HasPrefix(k, SystemTagPrefix) || strings.HasPrefix(k, awsTagPrefix) {
			continue
		}
		out[k] = v
	}
	return out
}

// changedTags are the tags of want that have is missing or has with another value.
func changedTags(have, want map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			out[k] = v
		}
	}
	return out
}

// removedTags are have's keys absent from want, except AWS's own tags.
func removedTags(have, want map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, awsTagPrefix) {
			out = append(out, k)
		}
	}
	return out
}

// tagsDiffer reports whether have needs tagging or untagging to become want.
func tagsDiffer(have, want map[string]string) bool {
	return len(changedTags(have, want)) > 0 || len(removedTags(have, want)) > 0
}

// isOwned reports whether tags carry ManagedByTag: the object is ours to
// adopt, change and delete.
func isOwned(tags map[string]string) bool { return tags[ManagedByTag] == ManagedByValue }

func smTags(m map[string]string) []smtypes.Tag {
	out := make([]smtypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, smtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func iamTags(m map[string]string) []iamtypes.Tag {
	out := make([]iamtypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// SecretTags converts Secrets Manager tags to a map.
func SecretTags(tags []smtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

// roleTags converts IAM tags to a map.
func roleTags(tags []iamtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}
