package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// Imported is what an existing rotated secret and its children say about
// the configuration that made them.
type Imported struct {
	// Spec is the configuration read back: name, description, key, user
	// tags, resource policy, the function's configuration (strategy,
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
}

// Import reads the secret id (ARN or name) and its children and returns
// the configuration they were made with. base gives the region, account
// and partition. Only a secret this provider set up imports: otherwise
// the error is a NotManagedError.
func (s *Stack) Import(ctx context.Context, base Spec, id string) (*Imported, error) {
	o, err := s.Read(ctx, Spec{Region: base.Region, Account: base.Account, Partition: base.Partition}, id)
	if err != nil {
		return nil, err
	}
	if err := o.Managed(); err != nil {
		return nil, err
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
	spec.Strategy, spec.RotatedField, spec.Password = cfg.Strategy, cfg.RotatedField, cfg.Password
	if spec.Policy, err = s.readPolicy(ctx, f.SecretARN); err != nil {
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

	spec.Rotation = RotationSpec{Enabled: f.RotationEnabled}
	if r := SeenRotation(o.Secret, f.FunctionARN).Rules; r != nil {
		kind := SecretTags(o.Secret.Tags)[ScheduleKindTag]
		if d := r.AutomaticallyAfterDays; d > 0 && kind != ScheduleKindExpression &&
			(r.ScheduleExpression == "" || IsDaysRate(r.ScheduleExpression, d)) {
			spec.Rotation.AutomaticallyAfterDays = d
		} else {
			spec.Rotation.ScheduleExpression = r.ScheduleExpression
		}
		spec.Rotation.Duration = r.Duration
	}

	// The template is the current value without the rotated field and
	// masterarn: the keys that never rotate.
	cur, err := s.readValue(ctx, f.SecretARN, "to read the secret's non-rotating keys")
	if err != nil {
		return nil, err
	}
	imp := &Imported{Spec: spec, Observed: o}
	var obj map[string]any
	if json.Unmarshal([]byte(cur), &obj) == nil {
		if m, ok := obj[strategy.KeyMasterARN].(string); ok {
			imp.Spec.MasterSecretARN = m
		}
		delete(obj, cfg.RotatedField)
		delete(obj, strategy.KeyMasterARN)
		if len(obj) > 0 {
			if imp.Template, err = MarshalSecret(obj); err != nil {
				return nil, err
			}
		}
	}
	return imp, nil
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
