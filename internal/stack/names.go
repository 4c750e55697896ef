package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Fixed names of the children that live inside another object.
const (
	// RolePolicyName is the inline policy on the function's role.
	RolePolicyName = "rotator-rotation"
	// PermissionStatementID is the Sid of the invoke permission for Secrets Manager.
	PermissionStatementID = "rotator-secretsmanager-invoke"
	// ManagedByTag marks every object this provider creates; import checks it.
	ManagedByTag = "rotator:managed-by"
	// ManagedByValue is the value of ManagedByTag.
	ManagedByValue = "terraform-provider-rotator"
	// ScheduleKindTag records on the secret whether the user gave days or an
	// expression: DescribeSecret reports a days schedule as both, so import
	// could not tell "automatically_after_days = 30" from "rate(30 days)".
	ScheduleKindTag        = "rotator:schedule-kind"
	ScheduleKindDays       = "days"
	ScheduleKindExpression = "expression"
	// SystemTagPrefix prefixes tags the provider owns; they are never shown as user tags.
	SystemTagPrefix = "rotator:"
	// Runtime and Handler of the rotation function (a static Go binary).
	Runtime = "provided.al2023"
	Handler = "bootstrap"
)

// maxFunctionNameLen is Lambda's (and IAM's role-name) limit.
const maxFunctionNameLen = 64

// Names are the derived names of one secret's children.
type Names struct {
	Function    string
	Role        string
	RolePolicy  string
	LogGroup    string
	StatementID string
}

// NamesFor derives the children's names from the secret's region and name.
// The role is global in IAM, so the region is part of the hash: the same
// secret name in two regions gets two roles.
func NamesFor(region, secretName string) Names {
	sum := sha256.Sum256([]byte(region + "/" + secretName))
	short := hex.EncodeToString(sum[:4])
	const prefix = "rotator-"
	base := sanitize(secretName)
	if room := maxFunctionNameLen - len(prefix) - 1 - len(short); len(base) > room {
		base = base[:room]
	}
	fn := prefix + base + "-" + short
	return Names{
		Function:    fn,
		Role:        fn,
		RolePolicy:  RolePolicyName,
		LogGroup:    "/aws/lambda/" + fn,
		StatementID: PermissionStatementID,
	}
}

// sanitize keeps the characters Lambda function names allow.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}
