// Package validators holds the plan-time validators of the
// rotator_rotated_secret resource: attribute validators (secret name and
// prefix, schedule expression, window duration, Secrets Manager ARN, and the
// numeric and enumerated bounds) and resource-level ConfigValidators for the
// rules that span attributes (schedule choice and window, password policy,
// master secret, secret template, name and name_prefix).
//
// Every diagnostic is an error (or, where noted, a warning) attached to the
// attribute at fault, and its detail says what is allowed. Unknown values,
// which appear during planning when a value depends on another resource, are
// never rejected: a validator that needs an unknown value skips its check, and
// Terraform validates again once the value is known. Null values mean "not
// set" and take the defaults the resource documents.
//
// The ConfigValidators read attributes by path (path.Root("rotation").AtName(
// "schedule_expression") and so on), so they work with any model struct as
// long as the schema has these attributes:
//
//	name, name_prefix, secret_template, rotated_field      (strings)
//	rotation { strategy, master_secret_arn, schedule_expression, duration (strings),
//	           automatically_after_days (int64), rotate_immediately, enabled (bools) }
//	password { length (int64), exclude_characters (string), exclude_numbers,
//	           exclude_punctuation, exclude_uppercase, exclude_lowercase,
//	           include_space, require_each_included_type (bools) }
//
// where rotation and password are SingleNestedBlocks.
package validators
