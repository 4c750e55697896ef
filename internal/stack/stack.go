package stack

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Stack manages the objects of rotated secrets through one set of clients.
// Each child has its own file with its ensure, find and delete steps
// (secret.go, role.go, loggroup.go, function.go, permission.go,
// rotation.go, alerts.go); this file orders them.
type Stack struct {
	c    Clients
	code CodeSource
	zips *sharedZips
	// timing, when set, replaces the rotation waits (unit tests; wait.go).
	timing *rotationTiming
}

// New returns a Stack.
func New(c Clients, code CodeSource) *Stack { return &Stack{c: c, code: code, zips: &sharedZips{}} }

// Clients returns the clients the stack uses.
func (s *Stack) Clients() Clients { return s.c }

// Create makes every object in dependency order: the secret with its first
// value, the role and its policy, the log group, the function, the invoke
// permission and the rotation schedule. A role, log group or function of
// the derived name that carries ManagedByTag (left behind when the secret
// was deleted outside Terraform) is adopted; one without it stops the
// create. save is called after each child
// with what exists so far, so a failure leaves a state destroy can clean.
// initialValue is written once, by CreateSecret, and kept nowhere.
func (s *Stack) Create(ctx context.Context, spec Spec, initialValue string, save func(State)) (State, error) {
	if save == nil {
		save = func(State) {}
	}
	var st State
	if err := s.createSecret(ctx, spec, initialValue, &st); err != nil {
		return st, err
	}
	spec = spec.WithAccountFrom(st.SecretARN)
	save(st)
	if len(spec.Replicas) > 0 {
		if err := s.waitReplicas(ctx, st.SecretARN); err != nil {
			return st, err
		}
	}
	if spec.Policy != "" {
		if err := s.putPolicy(ctx, st.SecretARN, spec.Policy); err != nil {
			return st, err
		}
	}
	steps := []func() error{
		func() error { return s.ensureRole(ctx, spec, &st) },
		func() error { return s.ensureLogGroup(ctx, spec, &st) },
		func() error { return s.createOrAdoptFunction(ctx, spec, &st) },
		func() error { return s.ensurePermission(ctx, spec, &st, nil) },
		// Alerts before the first RotateSecret, so that a failing first
		// rotation already reaches the topic.
		func() error { return s.ensureAlerts(ctx, spec, &st) },
	}
	if spec.Rotation.Enabled {
		steps = append(steps, func() error { return s.rotate(ctx, spec, &st) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return st, err
		}
		save(st)
	}
	return st, nil
}

// UpdateOptions are the value changes an update may carry. Both are rare
// and explicit: the resource owns the secret, not a version.
type UpdateOptions struct {
	// NewValue, when set, is written as the new AWSCURRENT (the user bumped
	// initial_value_wo_version).
	NewValue string
	// RewriteValue, when set, derives a new value from the current one
	// (the non-rotating keys of secret_template changed).
	RewriteValue func(current string) (string, error)
	// HadPolicy says the prior state had a resource policy, so an empty
	// spec policy deletes it.
	HadPolicy bool
	// PriorRoleName is the role the stack created earlier; when the spec now
	// brings its own role, it is deleted after the function moved off it.
	PriorRoleName string
	// PriorAlertTopic is the alert topic of the prior state ("" for none):
	// our statement leaves its policy when the topic changes or alerts are
	// removed.
	PriorAlertTopic string
}

// Update converges every child to spec: it repairs what is missing or
// changed outside Terraform and applies configuration changes in place.
func (s *Stack) Update(ctx context.Context, spec Spec, st State, opts UpdateOptions) (State, error) {
	names := spec.Names()
	sec, err := FindSecret(ctx, s.c.SecretsManager, st.SecretARN)
	if err != nil {
		return st, stepErr("reading the secret", KindSecret, err)
	}
	st.SecretARN, st.SecretName = aws.ToString(sec.ARN), aws.ToString(sec.Name)
	spec = spec.WithAccountFrom(st.SecretARN)
	if sec, err = s.clearAdoptedPending(ctx, sec); err != nil {
		return st, err
	}
	if spec.Rotation.Enabled && spec.Rotation.RotateNow {
		// rotate_triggers changed, maybe again after a rotation that failed
		// before it wrote a value: that version's AWSPENDING is safe to drop,
		// so the apply retries. A pending version with a value is reported
		// below (CheckPending), with what to do.
		if sec, _, err = s.dropValuelessPending(ctx, sec); err != nil {
			return st, err
		}
	}

	if err := s.ensureSecret(ctx, spec, sec, opts.HadPolicy); err != nil {
		return st, err
	}
	if err := s.ensureReplicas(ctx, spec, sec); err != nil {
		return st, err
	}
	if err := s.ensureRole(ctx, spec, &st); err != nil {
		return st, err
	}
	if err := s.ensureLogGroup(ctx, spec, &st); err != nil {
		return st, err
	}
	created, err := s.ensureFunction(ctx, spec, &st)
	if err != nil {
		return st, err
	}
	var perm *PermissionStatement
	seenFunction := st.FunctionARN
	if created {
		seenFunction = ""
	} else {
		perm, err = FindPermission(ctx, s.c.Lambda, names.Function, names.StatementID)
		if err != nil && !IsNotFound(err) {
			return st, stepErr("reading the invoke permission", KindPermission, err)
		}
	}
	if err := s.ensurePermission(ctx, spec, &st, perm); err != nil {
		return st, err
	}
	// Alerts before any RotateSecret below, so its failure is reported.
	if err := s.updateAlerts(ctx, spec, &st, opts.PriorAlertTopic); err != nil {
		return st, err
	}

	// The value is written once everything it depends on (the function's
	// rotated field) is in place, and before rotation is reconfigured, which
	// may rotate at once from the current value.
	if st.ValueWritten, err = s.writeNewValue(ctx, st.SecretARN, opts); err != nil {
		return st, err
	}
	seen := SeenRotation(sec, seenFunction)
	switch {
	case Reconfigures(spec.Rotation, seen):
		// One RotateSecret both configures and, when this apply rotates
		// (rotate_immediately, or rotate_triggers changed), rotates.
		spec.Rotation.RotateImmediately = Rotates(spec.Rotation, seen)
		if err := CheckPending(sec); err != nil {
			if p, ok := err.(*PendingRotationError); ok {
				p.Strategy = spec.Strategy
			}
			return st, err
		}
		if err := s.rotate(ctx, spec, &st); err != nil {
			return st, err
		}
	case !spec.Rotation.Enabled && seen.Enabled:
		if err := s.cancelRotation(ctx, st.SecretARN); err != nil {
			return st, err
		}
		st.RotationConfigured = false
	}

	if spec.BringsOwnRole() && opts.PriorRoleName != "" {
		if err := s.deleteOwnedRole(ctx, opts.PriorRoleName, names.RolePolicy); err != nil {
			return st, err
		}
	}
	return st, nil
}

// writeNewValue writes opts' new value, if any, and reports whether it did.
func (s *Stack) writeNewValue(ctx context.Context, secretARN string, opts UpdateOptions) (bool, error) {
	value := opts.NewValue
	if value == "" && opts.RewriteValue != nil {
		cur, err := s.readValue(ctx, secretARN, "to apply secret_template")
		if err != nil {
			return false, err
		}
		if value, err = opts.RewriteValue(cur); err != nil {
			return false, stepErr("applying secret_template to the current value", KindSecret, err)
		}
	}
	if value == "" {
		return false, nil
	}
	_, err := s.writeValue(ctx, secretARN, value)
	return err == nil, err
}

// DeleteOptions adjust a Delete.
type DeleteOptions struct {
	// ForceIfOnlyVersion, when set, deletes the secret without recovery if
	// this version (the one a failed Create wrote, holding a value the
	// provider generated) is still its only one: nothing of value can be
	// lost, and the name is free again at once.
	ForceIfOnlyVersion string
}

// Delete removes every child in reverse order: it cancels rotation,
// removes the alert rule (its target first) and our statement in the
// topic's policy, the permission, the function, the log group, the role policy
// and the role, and finally deletes the secret with
// spec.RecoveryWindowDays (0 deletes without recovery). Only children that
// carry ManagedByTag are deleted: one of the derived name without it is not
// ours. A child that is already gone is fine, so Delete also cleans up after
// a failed Create. secretID is the ARN, or the name when Create failed
// before the secret existed (then no secret is deleted).
func (s *Stack) Delete(ctx context.Context, spec Spec, secretID string, opts DeleteOptions) error {
	names := spec.Names()
	spec = spec.WithAccountFrom(secretID)
	sec, err := FindSecret(ctx, s.c.SecretsManager, secretID)
	switch {
	case IsNotFound(err):
		sec = nil
	case err != nil:
		return stepErr("reading the secret", KindSecret, err)
	}
	if sec != nil {
		spec = spec.WithAccountFrom(aws.ToString(sec.ARN))
		if aws.ToBool(sec.RotationEnabled) {
			if err := s.cancelRotation(ctx, aws.ToString(sec.ARN)); err != nil {
				return err
			}
		}
	}
	if spec.Alerts != nil {
		if err := DeleteAlerts(ctx, s.alertClients(), names, spec.Alerts.TopicARN); err != nil {
			return err
		}
	}
	if err := s.deleteOwnedFunction(ctx, names); err != nil {
		return err
	}
	if err := s.deleteOwnedLogGroup(ctx, spec); err != nil {
		return err
	}
	if !spec.BringsOwnRole() {
		if err := s.deleteOwnedRole(ctx, names.Role, names.RolePolicy); err != nil {
			return err
		}
	}
	if sec == nil {
		return nil
	}
	// DeleteSecret refuses a primary that still has replicas.
	if err := s.deleteReplicas(ctx, sec); err != nil {
		return err
	}
	window := spec.RecoveryWindowDays
	if v := opts.ForceIfOnlyVersion; v != "" && len(sec.VersionIdsToStages) == 1 && sec.VersionIdsToStages[v] != nil {
		window = 0
	}
	return s.deleteSecret(ctx, aws.ToString(sec.ARN), window)
}
