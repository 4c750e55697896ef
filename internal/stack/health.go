package stack

// health.go: what a refresh tells of the rotation's health, for
// dashboards and check blocks: when AWSCURRENT's version was created, and
// whether a rotation is pending or stuck. DescribeSecret (already part of
// every refresh) has the labels, NextRotationDate and, in its response's
// Date header, Secrets Manager's clock; only the versions' creation dates
// need ListSecretVersionIds, and a version's date never changes, so it is
// read once per new labelled version and remembered by the caller.

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// RotationStuckAfter is how long AWSPENDING may sit on a version other
// than AWSCURRENT before the rotation counts as stuck. A rotation by this
// provider's function ends in seconds and the provider waits at most
// RotationWaitTimeout for one; even the slowest allowed function (four
// steps of the 15-minute Lambda maximum) ends one attempt within an hour.
// AWS does not document how long it keeps retrying a failed rotation; an
// unfinished rotation this old needs a human either way.
const RotationStuckAfter = time.Hour

// VersionDates are creation dates of a secret's versions, by version ID.
type VersionDates map[string]time.Time

// labelledVersions returns the IDs of the versions holding AWSCURRENT or
// AWSPENDING, sorted.
func labelledVersions(sec *secretsmanager.DescribeSecretOutput) []string {
	var ids []string
	for id, stages := range sec.VersionIdsToStages {
		if slices.Contains(stages, stageCurrent) || slices.Contains(stages, stagePending) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// ReadVersionDates sets o.VersionDates to the creation dates of the
// versions holding AWSCURRENT or AWSPENDING. They come from known (what an
// earlier refresh read) when it has them all; otherwise one
// ListSecretVersionIds (paged beyond 100 versions) reads them. A refresh
// that sees no new labelled version makes no call.
func (s *Stack) ReadVersionDates(ctx context.Context, o *Observed, known VersionDates) error {
	ids := labelledVersions(o.Secret)
	out := VersionDates{}
	for _, id := range ids {
		if t, ok := known[id]; ok {
			out[id] = t
		}
	}
	if len(out) == len(ids) {
		o.VersionDates = out
		return nil
	}
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: o.Secret.ARN, MaxResults: aws.Int32(100)}
	for page := 0; page < 10; page++ {
		res, err := s.c.SecretsManager.ListSecretVersionIds(ctx, in)
		if err != nil {
			return stepErr("reading the secret's versions (ListSecretVersionIds)", KindSecret, err)
		}
		for _, v := range res.Versions {
			if id := aws.ToString(v.VersionId); v.CreatedDate != nil && slices.Contains(ids, id) {
				out[id] = *v.CreatedDate
			}
		}
		if res.NextToken == nil || len(out) == len(ids) {
			break
		}
		in.NextToken = res.NextToken
	}
	o.VersionDates = out
	return nil
}

// Health is what a refresh tells of the rotation's health.
type Health struct {
	// CurrentVersionCreated is when AWSCURRENT's version was created; nil
	// when its date was not read.
	CurrentVersionCreated *time.Time
	// Pending: AWSPENDING is on a version other than AWSCURRENT's.
	Pending bool
	// Stuck: Pending, and the pending version is older than
	// RotationStuckAfter or NextRotationDate has passed ("If rotation is
	// unsuccessful, this date may be in the past", DescribeSecret), both by
	// Secrets Manager's clock (ServerTime).
	Stuck bool
}

// Health reports the rotation's health from o.Secret and o.VersionDates.
func (o *Observed) Health() Health {
	var h Health
	if t, ok := o.VersionDates[currentVersion(o.Secret)]; ok {
		h.CurrentVersionCreated = &t
	}
	p, ok := CheckPending(o.Secret).(*PendingRotationError)
	if !ok {
		return h
	}
	h.Pending = true
	now := o.ServerTime
	if now.IsZero() {
		now = time.Now()
	}
	created, ok := o.VersionDates[p.VersionID]
	h.Stuck = (ok && now.Sub(created) >= RotationStuckAfter) ||
		(o.Secret.NextRotationDate != nil && o.Secret.NextRotationDate.Before(now))
	return h
}

// serverTime is Secrets Manager's clock when it answered DescribeSecret
// (its Date header), so that ages are measured on the clock that dated the
// versions; the local clock when the answer had none.
func serverTime(sec *secretsmanager.DescribeSecretOutput) time.Time {
	if t, ok := awsmiddleware.GetServerTime(sec.ResultMetadata); ok {
		return t
	}
	return time.Now()
}
