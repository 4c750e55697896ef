package stack

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// adopt.go: importing a secret this provider did not set up (created in the
// console, by CloudFormation or by the AWS provider, rotated by someone
// else's function). The import reads what the secret has; the next apply
// (Update) creates our children, switches rotation to our function and
// tags the secret. Nothing of the other configuration is changed or
// deleted: its function, role and permission keep existing until their own
// configuration removes them.

// AdoptedTag marks a secret this provider adopted rather than created.
const (
	AdoptedTag   = SystemTagPrefix + "adopted"
	AdoptedValue = "true"
)

// Adoption is what importing a secret this provider did not set up found,
// for the warnings import shows.
type Adoption struct {
	// ForeignFunctionARN is the rotation function the secret rotates with
	// now ("" when it has none). It is left untouched.
	ForeignFunctionARN string
	// ForeignRoleARN is that function's role ("" when unknown).
	ForeignRoleARN string
	// Pending is AWSPENDING stuck on a version other than AWSCURRENT, or nil.
	Pending *StuckPending
	// NoCurrentValue says the secret has no AWSCURRENT version (it was
	// created without a value).
	NoCurrentValue bool
}

// StuckPending is an unfinished rotation found at adoption.
type StuckPending struct {
	VersionID string
	// HasValue says the version holds a value. Without one (the earlier
	// rotation never wrote its version, as a function that ignores
	// ClientRequestToken does), the adoption apply removes the label: no
	// value can be lost. With one, the user decides first.
	HasValue bool
}

// OwnedByServiceError refuses a secret that another AWS service manages
// (OwningService is set, as on RDS's "rds!" secrets).
type OwnedByServiceError struct {
	SecretARN string
	Service   string
}

func (e *OwnedByServiceError) Error() string {
	return fmt.Sprintf("secret %s is managed by %s (OwningService)", e.SecretARN, e.Service)
}

// OtherRegionError refuses importing a secret ARN of another region than
// the provider's.
type OtherRegionError struct {
	SecretARN      string
	SecretRegion   string
	ProviderRegion string
}

func (e *OtherRegionError) Error() string {
	return fmt.Sprintf("secret %s is in region %s, but the provider is configured for %s", e.SecretARN, e.SecretRegion, e.ProviderRegion)
}

// PendingValueError refuses adopting a secret whose unfinished rotation
// wrote a value: only the user knows whether that value is already in use.
type PendingValueError struct {
	SecretARN string
	VersionID string
}

func (e *PendingValueError) Error() string {
	return fmt.Sprintf("secret %s has AWSPENDING on version %s, which holds a value and is not AWSCURRENT: an earlier rotation did not finish", e.SecretARN, e.VersionID)
}

// CheckRegion refuses an import id that is an ARN of another region. A
// name is looked up in the provider's region.
func CheckRegion(id, region string) error {
	if !arn.IsARN(id) {
		return nil // a name: looked up in the provider's region
	}
	a, err := arn.Parse(id)
	if err != nil || a.Region == "" || a.Region == region {
		return nil //nolint:nilerr // an ARN that does not parse is looked up as given and not found
	}
	return &OtherRegionError{SecretARN: id, SecretRegion: a.Region, ProviderRegion: region}
}

// CheckAdoptable refuses a secret another AWS service manages: its
// rotation belongs to that service.
func CheckAdoptable(sec *secretsmanager.DescribeSecretOutput) error {
	if svc := aws.ToString(sec.OwningService); svc != "" {
		return &OwnedByServiceError{SecretARN: aws.ToString(sec.ARN), Service: svc}
	}
	return nil
}

// adopt builds the import of a secret this provider did not set up: the
// secret's own settings (name, description, key, user tags, resource
// policy, rotation schedule) and its current value's non-rotating keys.
// The function settings are left at their zero value (the provider's
// defaults): there is no function of ours to read them from.
func (s *Stack) adopt(ctx context.Context, base Spec, o *Observed) (*Imported, error) {
	if err := CheckAdoptable(o.Secret); err != nil {
		return nil, err
	}
	f := o.Facts()
	spec := base
	spec.Name, spec.Description, spec.KMSKeyID, spec.Tags = f.SecretName, f.Description, f.KMSKeyID, f.Tags
	spec.Strategy, spec.RotatedField, spec.Password = config.StrategyGeneric, config.DefaultRotatedField, config.DefaultPasswordPolicy()
	var err error
	if spec.Policy, err = s.readPolicy(ctx, f.SecretARN); err != nil {
		return nil, err
	}
	spec.Rotation = importRotation(o.Secret, "")

	ad := &Adoption{}
	if fn := aws.ToString(o.Secret.RotationLambdaARN); fn != "" {
		ad.ForeignFunctionARN = fn
		if out, err := FindFunction(ctx, s.c.Lambda, fn); err == nil {
			ad.ForeignRoleARN = aws.ToString(out.Configuration.Role)
		}
	}
	if pending := CheckPending(o.Secret); pending != nil {
		p, _ := pending.(*PendingRotationError)
		has, err := s.versionHasValue(ctx, f.SecretARN, p.VersionID)
		if err != nil {
			return nil, err
		}
		if has {
			return nil, &PendingValueError{SecretARN: f.SecretARN, VersionID: p.VersionID}
		}
		ad.Pending = &StuckPending{VersionID: p.VersionID}
	}

	imp := &Imported{Spec: spec, Observed: o, Adoption: ad}
	if f.CurrentVersionID == "" {
		ad.NoCurrentValue = true
		return imp, nil
	}
	if err := s.importTemplate(ctx, imp, f.SecretARN, spec.RotatedField); err != nil {
		return nil, err
	}
	return imp, nil
}

// versionHasValue reports whether a version holds a value. Secrets
// Manager has no call that says so without reading it; the value read is
// dropped at once.
func (s *Stack) versionHasValue(ctx context.Context, secretARN, versionID string) (bool, error) {
	_, err := s.c.SecretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretARN), VersionId: aws.String(versionID),
	})
	switch {
	case isCode(err, codeResourceNotFound):
		return false, nil
	case err != nil:
		return false, stepErr("checking whether the unfinished rotation's version "+versionID+" holds a value", KindSecret, err)
	}
	return true, nil
}

// clearAdoptedPending is the first step of an adoption apply (the secret
// does not carry ManagedByTag yet): it removes AWSPENDING from a version
// that holds no value, left by a rotation that never wrote it, so that
// RotateSecret can attach our function. AWSCURRENT is not touched. A
// pending version with a value is refused (PendingValueError). It returns
// the secret as it is afterwards.
//
// Why a valueless AWSPENDING is safe to clear even if the other function
// were still running: a protocol-correct function writes the pending value
// in createSecret, before setSecret pushes it anywhere, so a version
// without a value was never used; a function like the seed article's never
// writes it at all. At worst the other function's unfinished rotation
// fails, and AWSCURRENT stays what it was.
func (s *Stack) clearAdoptedPending(ctx context.Context, sec *secretsmanager.DescribeSecretOutput) (*secretsmanager.DescribeSecretOutput, error) {
	if isOwned(SecretTags(sec.Tags)) {
		return sec, nil
	}
	sec, hasValue, err := s.dropValuelessPending(ctx, sec)
	if err == nil && hasValue {
		p, _ := CheckPending(sec).(*PendingRotationError)
		return nil, &PendingValueError{SecretARN: p.SecretARN, VersionID: p.VersionID}
	}
	return sec, err
}

// dropValuelessPending removes AWSPENDING from a version other than
// AWSCURRENT's that holds no value (safe, see clearAdoptedPending) and
// returns the secret as it is afterwards. hasValue says the pending
// version holds a value: then nothing was changed.
func (s *Stack) dropValuelessPending(ctx context.Context, sec *secretsmanager.DescribeSecretOutput) (_ *secretsmanager.DescribeSecretOutput, hasValue bool, _ error) {
	p, ok := CheckPending(sec).(*PendingRotationError)
	if !ok {
		return sec, false, nil
	}
	arn := aws.ToString(sec.ARN)
	has, err := s.versionHasValue(ctx, arn, p.VersionID)
	if err != nil || has {
		return sec, has, err
	}
	if _, err := s.c.SecretsManager.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(arn), VersionStage: aws.String(stagePending), RemoveFromVersionId: aws.String(p.VersionID),
	}); err != nil {
		return nil, false, stepErr("removing AWSPENDING from the unfinished rotation's version "+p.VersionID, KindSecret, err)
	}
	sec, err = FindSecret(ctx, s.c.SecretsManager, arn)
	return sec, false, stepErr("reading the secret", KindSecret, err)
}

// adoptionTags adds AdoptedTag to want when the secret is being adopted
// (it lacks ManagedByTag) or was adopted earlier, so updates keep it.
func adoptionTags(have, want map[string]string) {
	if v := have[AdoptedTag]; v != "" {
		want[AdoptedTag] = v
	} else if !isOwned(have) {
		want[AdoptedTag] = AdoptedValue
	}
}

// Describe names the adoption's findings for a warning: what stays
// untouched and what the apply will do.
func (a *Adoption) Describe(secretName string) string {
	var b strings.Builder
	b.WriteString("The next apply adopts the secret without changing its ARN, versions or current value: it creates the " +
		"rotation function, its role, log group and invoke permission, switches rotation to that function with the " +
		"configured schedule (rotating only if rotate_immediately = true), and tags the secret " + AdoptedTag + "=" + AdoptedValue + ". " +
		"The description, KMS key, tags and resource policy read from the secret are managed by this block from now on.")
	if a.ForeignFunctionARN != "" {
		fmt.Fprintf(&b, "\n\nThe secret rotates today with %s", a.ForeignFunctionARN)
		if a.ForeignRoleARN != "" {
			fmt.Fprintf(&b, " (role %s)", a.ForeignRoleARN)
		}
		b.WriteString(". That function, its role and its invoke permission are left untouched: they belong to the " +
			"configuration that created them. Once this apply succeeded, remove them there (keep the secret out of that " +
			"configuration's destroy with a removed { lifecycle { destroy = false } } block).")
	}
	if p := a.Pending; p != nil {
		fmt.Fprintf(&b, "\n\nAn earlier rotation of %s did not finish: version %s holds AWSPENDING but no value (the "+
			"rotation function never wrote it). The adoption apply removes the AWSPENDING label from that version before "+
			"attaching the new function; AWSCURRENT and its value stay as they are.", secretName, p.VersionID)
	}
	if a.NoCurrentValue {
		fmt.Fprintf(&b, "\n\n%s has no current value (no version holds AWSCURRENT), and rotation starts from the current "+
			"value. Set initial_value_wo (from an ephemeral variable) and initial_value_wo_version so that the adoption apply "+
			"writes the first one; otherwise the first rotation fails.", secretName)
	}
	return b.String()
}
