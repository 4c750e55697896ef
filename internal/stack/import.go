package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// Imported is what an existing rotated secret and its children say about
// the configuration that made them.
type Imported struct {
	// Spec is the configuration read back: name, description, key, user
	// tags, resource policy, alerts, the function's configuration (strategy,
	// rotated field, password policy, master secret) and settings, the log
	// retention and the rotation schedule. RecoveryWindowDays and
	// Rotation.RotateImmediately cannot be read back and are zero.
	Spec Spec
	// Template is the current value's non-rotating keys as a JSON object
	// ("" for a plain-string secret or one with no other keys). The rotated
	// field's value itself is dropped.
	Template string
	// Observed is the Read the import is built from.
	Observed *Observed
	// Adoption is set when the secret was not set up by this provider: the
	// import adopts it (see adopt.go).
	Adoption *Adoption
}

// Import reads the secret id (ARN or name) and its children and returns
// the configuration they were made with. base gives the region, account
// and partition. A secret this provider did not set up is adopted (see
// adopt); an ARN of another region is refused (OtherRegionError).
func (s *Stack) Import(ctx context.Context, base Spec, id string) (*Imported, error) {
	if err := CheckRegion(id, base.Region); err != nil {
		return nil, err
	}
	o, err := s.Read(ctx, Spec{Region: base.Region, Account: base.Account, Partition: base.Partition}, id)
	if err != nil {
		return nil, err
	}
	if o.Managed() != nil {
		return s.adopt(ctx, base, o)
	}
	fc := o.Function.Configuration
	var env map[string]string
	if fc.Environment != nil {
		env = fc.Environment.Variables
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		return nil, &StepError{Step: "reading the rotation function's environment (it is not one this provider writes; re-create the resource)", Kind: KindFunction, Err: err}
	}
	f := o.Facts()
	spec := base
	spec.Name, spec.Description, spec.KMSKeyID, spec.Tags = f.SecretName, f.Description, f.KMSKeyID, f.Tags
	spec.Strategy, spec.RotatedField, spec.Password, spec.CABundle = cfg.Strategy, cfg.RotatedField, cfg.Password, cfg.CABundle
	if spec.Policy, err = s.readPolicy(ctx, f.SecretARN); err != nil {
		return nil, err
	}
	if spec.Alerts, err = s.importAlerts(ctx, spec, o); err != nil {
		return nil, err
	}

	spec.Function = FunctionSpec{
		Architecture: f.Architecture,
		MemorySize:   aws.ToInt32(fc.MemorySize),
		Timeout:      aws.ToInt32(fc.Timeout),
	}
	if o.LogGroup != nil {
		spec.Function.LogRetentionDays = aws.ToInt32(o.LogGroup.RetentionInDays)
	}
	if v := fc.VpcConfig; v != nil && len(v.SubnetIds) > 0 {
		spec.Function.SubnetIDs, spec.Function.SecurityGroupIDs = v.SubnetIds, v.SecurityGroupIds
	}
	if role := aws.ToString(fc.Role); role != "" && roleNameOf(role) != o.Names.Role {
		spec.Function.RoleARN = role
	}

	spec.Rotation = importRotation(o.Secret, f.FunctionARN)

	imp := &Imported{Spec: spec, Observed: o}
	if err := s.importTemplate(ctx, imp, f.SecretARN, cfg.RotatedField); err != nil {
		return nil, err
	}
	return imp, nil
}

// importRotation reads the secret's rotation schedule back.
func importRotation(sec *secretsmanager.DescribeSecretOutput, functionARN string) RotationSpec {
	rot := RotationSpec{Enabled: aws.ToBool(sec.RotationEnabled)}
	if r := SeenRotation(sec, functionARN).Rules; r != nil {
		kind := SecretTags(sec.Tags)[ScheduleKindTag]
		if d := r.AutomaticallyAfterDays; d > 0 && kind != ScheduleKindExpression &&
			(r.ScheduleExpression == "" || IsDaysRate(r.ScheduleExpression, d)) {
			rot.AutomaticallyAfterDays = d
		} else {
			rot.ScheduleExpression = r.ScheduleExpression
		}
		rot.Duration = r.Duration
	}
	return rot
}

// importTemplate sets imp's Template (and master secret) from the current
// value without the rotated field and masterarn: the keys that never
// rotate.
func (s *Stack) importTemplate(ctx context.Context, imp *Imported, secretARN, rotatedField string) error {
	cur, err := s.readValue(ctx, secretARN, "to read the secret's non-rotating keys")
	if err != nil {
		return err
	}
	var obj map[string]any
	if json.Unmarshal([]byte(cur), &obj) == nil {
		if m, ok := obj[strategy.KeyMasterARN].(string); ok {
			imp.Spec.MasterSecretARN = m
		}
		delete(obj, rotatedField)
		delete(obj, strategy.KeyMasterARN)
		// The template names the base user, also when the clone is current.
		if u, ok := obj[strategy.KeyUsername].(string); ok && config.IsAlternating(imp.Spec.Strategy) {
			if base, cut := strings.CutSuffix(u, config.CloneSuffix); cut && base != "" {
				obj[strategy.KeyUsername] = base
			}
		}
		if len(obj) > 0 {
			if imp.Template, err = MarshalSecret(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// MarshalSecret encodes a secret's JSON object the way the rotation
// function does: without HTML escaping, so "<&>" stay as typed.
func MarshalSecret(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", errors.New("cannot encode the secret value as JSON")
	}
	return string(bytes.TrimRight(b.Bytes(), "\n")), nil
}
