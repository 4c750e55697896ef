package acctest

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// ResourceType is the resource the checks look for in state.
const ResourceType = "rotator_rotated_secret"

// CheckDestroy proves that every child of every rotated secret in the
// state is gone: the secret (deleted or scheduled for deletion), the
// function, the log group and, unless the user brought one, the role.
func (e *Env) CheckDestroy(s *terraform.State) error {
	var errs []error
	for _, rs := range s.RootModule().Resources {
		if rs.Type != ResourceType {
			continue
		}
		errs = append(errs, e.CheckGone(context.Background(), rs.Primary.Attributes["name"], rs.Primary.Attributes["function.role_arn"] != ""))
	}
	return errors.Join(errs...)
}

// CheckGone checks that nothing of the rotated secret name remains.
func (e *Env) CheckGone(ctx context.Context, name string, byoRole bool) error {
	names := stack.NamesFor(e.Region, name)
	c := e.Clients
	var errs []error
	left := func(kind, id string, err error) {
		switch {
		case err == nil:
			errs = append(errs, fmt.Errorf("%s %s still exists", kind, id))
		case !stack.IsNotFound(err):
			errs = append(errs, fmt.Errorf("checking %s %s: %w", kind, id, err))
		}
	}
	_, err := stack.FindSecret(ctx, c.SecretsManager, name)
	left(stack.KindSecret, name, err)
	_, err = stack.FindFunction(ctx, c.Lambda, names.Function)
	left(stack.KindFunction, names.Function, err)
	_, err = stack.FindLogGroup(ctx, c.Logs, names.LogGroup)
	left(stack.KindLogGroup, names.LogGroup, err)
	if !byoRole {
		_, err = stack.FindRole(ctx, c.IAM, names.Role)
		left(stack.KindRole, names.Role, err)
	}
	return errors.Join(errs...)
}

// CheckExists checks that every child of the rotated secret name exists.
func (e *Env) CheckExists(ctx context.Context, name string, byoRole bool) error {
	names := stack.NamesFor(e.Region, name)
	c := e.Clients
	var errs []error
	if _, err := stack.FindSecret(ctx, c.SecretsManager, name); err != nil {
		errs = append(errs, err)
	}
	if _, err := stack.FindFunction(ctx, c.Lambda, names.Function); err != nil {
		errs = append(errs, err)
	}
	if _, err := stack.FindPermission(ctx, c.Lambda, names.Function, names.StatementID); err != nil {
		errs = append(errs, err)
	}
	if _, err := stack.FindLogGroup(ctx, c.Logs, names.LogGroup); err != nil {
		errs = append(errs, err)
	}
	if !byoRole {
		if _, err := stack.FindRolePolicy(ctx, c.IAM, names.Role, names.RolePolicy); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
