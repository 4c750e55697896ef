package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// rotationDiag is the diagnostic of a rotation the provider started and
// watched: the step that failed, the function's own error lines, whether
// AWSPENDING was left behind and what to do. Other errors go to errorDiag.
func rotationDiag(summary string, err error) diag.Diagnostic {
	var f *stack.RotateNowError
	if !errors.As(err, &f) {
		return errorDiag(summary, "", err)
	}
	var b strings.Builder
	switch {
	case f.Step != "":
		summary = fmt.Sprintf("Rotation failed in step %s", f.Step)
		fmt.Fprintf(&b, "The rotation function failed in step %s of rotation %s of %s. Its own error lines for this rotation (log group %s):\n",
			f.Step, f.VersionID, f.SecretARN, f.LogGroup)
		for _, l := range f.Lines {
			b.WriteString("\n    " + l)
		}
		b.WriteString("\n\n")
	case f.Abandoned:
		summary = "Rotation abandoned"
		fmt.Fprintf(&b, "Version %s of %s lost its AWSPENDING label without becoming AWSCURRENT: someone cancelled the rotation "+
			"or wrote a new value while it ran.\n\n", f.VersionID, f.SecretARN)
	case f.TimedOut:
		summary = "Rotation did not finish in time"
		fmt.Fprintf(&b, "Rotation %s of %s had no outcome in time, and the function logged no failed step in %s.\n\n",
			f.VersionID, f.SecretARN, f.LogGroup)
	}
	if f.PendingLeft {
		fmt.Fprintf(&b, "AWSPENDING is left on version %s, which is not AWSCURRENT: Secrets Manager retries the rotation, and refuses "+
			"to start another one until it finishes or is cancelled.\n\n", f.VersionID)
	}
	b.WriteString("What to do: fix the cause the function names (for a database strategy: the database's address, the current " +
		"password, the network path from the function), then let Secrets Manager's retry finish or run the action again. " +
		"To give up on this rotation instead (for a single-user database strategy that got past setSecret, first read the " +
		"AWSPENDING value: the database may already use it):\n" +
		"    aws secretsmanager cancel-rotate-secret --secret-id " + f.SecretARN + "\n" +
		"    aws secretsmanager update-secret-version-stage --secret-id " + f.SecretARN +
		" --version-stage AWSPENDING --remove-from-version-id " + f.VersionID)
	return diag.NewErrorDiagnostic(summary, b.String())
}
