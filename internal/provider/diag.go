package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// errorDiag is the one place errors become diagnostics: a summary, what
// the user can do, and the original error. AWS errors never carry secret
// values, and no caller passes one in.
func errorDiag(summary, whatToDo string, err error) diag.Diagnostic {
	s, todo := explain(err)
	if s != "" {
		summary = s
	}
	if todo != "" && whatToDo != "" {
		// What the error means first, then what the failed operation left.
		whatToDo = todo + "\n\n" + whatToDo
	} else if todo != "" {
		whatToDo = todo
	}
	var step *stack.StepError
	if errors.As(err, &step) && s == "" {
		summary = fmt.Sprintf("%s: failed while %s", summary, step.Step)
	}
	var b strings.Builder
	if whatToDo != "" {
		b.WriteString(whatToDo)
		b.WriteString("\n\n")
	}
	b.WriteString("Error: ")
	b.WriteString(err.Error())
	return diag.NewErrorDiagnostic(summary, b.String())
}

// explain recognises the errors users can act on.
func explain(err error) (summary, whatToDo string) {
	var pending *stack.PendingRotationError
	var notManaged *stack.NotManagedError
	var step *stack.StepError
	code := stack.ErrorCode(err)
	switch {
	case errors.As(err, &pending):
		return "An earlier rotation of the secret did not finish",
			fmt.Sprintf("Version %s of %s holds the AWSPENDING label but not AWSCURRENT, so Secrets Manager refuses to "+
				"start or reconfigure rotation (\"A previous rotation isn't complete\").\n\n"+
				"1. Find why it failed in the rotation function's log group (see the log_group_name attribute).\n"+
				"2. Either fix the cause and let Secrets Manager retry the rotation, or cancel it and clear the label:\n"+
				"     aws secretsmanager cancel-rotate-secret --secret-id %s\n"+
				"     aws secretsmanager update-secret-version-stage --secret-id %s --version-stage AWSPENDING --remove-from-version-id %s\n"+
				"3. Run terraform apply again.", pending.VersionID, pending.SecretARN, pending.SecretARN, pending.SecretARN, pending.VersionID)
	case errors.As(err, &notManaged):
		return "Secret was not set up by this provider",
			"rotator_rotated_secret can import only secrets it created: it found no " + strings.Join(notManaged.Missing, ", and no ") +
				". Create the rotated secret with this provider instead, or manage this secret with the AWS provider."
	case isBundleMissing(err):
		return "The provider was built without its rotation function",
			"This build of terraform-provider-rotator has no embedded rotation function zip. Build it with `make bundle` " +
				"(then rebuild the provider), or install a released provider."
	case code == "AccessDeniedException" || code == "AccessDenied" || code == "UnauthorizedOperation":
		return "AWS denied a call the provider needs",
			"The credentials Terraform uses lack a permission. The resource documentation lists every IAM action the caller needs."
	case code == "InvalidRequestException" && strings.Contains(err.Error(), "scheduled for deletion"):
		return "A secret with this name is scheduled for deletion",
			"Secrets Manager keeps deleted secrets for their recovery window. Restore it (aws secretsmanager restore-secret --secret-id NAME) " +
				"and import it, delete it for good (aws secretsmanager delete-secret --secret-id NAME --force-delete-without-recovery), or pick another name. " +
				"Set recovery_window_in_days = 0 on secrets you recreate often."
	case strings.HasPrefix(code, "KMS") || code == "DisabledException" || (errors.As(err, &step) && step.Kind == stack.KindKey):
		return "The secret's KMS key cannot be used",
			"Check that kms_key_id names an enabled key in this region and that its key policy lets this account use it."
	}
	return "", ""
}
