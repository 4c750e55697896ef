package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
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

// accountMismatch refuses an import identity of another account.
func accountMismatch(want, have string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Secret is in another AWS account",
		fmt.Sprintf("The import identity names account %s, but the provider's credentials are for account %s. "+
			"Configure a provider (alias) with credentials for account %s and set provider = rotator.<alias> on the resource.", want, have, want))
}

// adoptionWarning explains what the adoption apply will do.
func adoptionWarning(secretName, details string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Adopting secret "+secretName+" into this configuration", details)
}

// rotatesOnApplyWarning tells, in the plan, that the apply rotates the
// secret and why: the rotate_triggers keys that changed, or
// rotate_immediately with a rotation (re)configuration.
func rotatesOnApplyWarning(triggered []string) diag.Diagnostic {
	if len(triggered) > 0 {
		return diag.NewAttributeWarningDiagnostic(path.Root("rotation").AtName("rotate_triggers"),
			"The secret rotates during this apply",
			fmt.Sprintf("Rotation will run on apply because rotation.rotate_triggers changed (keys: %s). The apply rotates the "+
				"secret once and waits for the outcome: clients that cached the current value must fetch the new one. If the "+
				"rotation fails, the apply fails and keeps the previous triggers, so the next apply rotates again.",
				strings.Join(triggered, ", ")))
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("rotation").AtName("rotate_immediately"),
		"The secret rotates during this apply",
		"rotate_immediately = true and this apply configures rotation, so Secrets Manager rotates the secret at once: "+
			"clients that cached the current value must fetch the new one. Set rotate_immediately = false to only validate the "+
			"function now and rotate in the next scheduled window.")
}

// triggersWithoutRotation refuses a rotate_triggers change while rotation
// is disabled: nothing could rotate the secret, and recording the new
// triggers would lose the rotation they ask for.
func triggersWithoutRotation(triggered []string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("rotation").AtName("rotate_triggers"),
		"rotate_triggers changed while rotation is disabled",
		fmt.Sprintf("rotation.rotate_triggers changed (keys: %s), which asks for a rotation, but rotation.enabled = false, so "+
			"nothing can rotate the secret. Set rotation.enabled = true in the same change, or keep rotate_triggers unchanged "+
			"while rotation is disabled.", strings.Join(triggered, ", ")))
}

// explain recognises the errors users can act on.
func explain(err error) (summary, whatToDo string) {
	var pending *stack.PendingRotationError
	var rotation *stack.RotationFailedError
	var notManaged *stack.NotManagedError
	var owned *stack.OwnedByServiceError
	var otherRegion *stack.OtherRegionError
	var pendingValue *stack.PendingValueError
	var step *stack.StepError
	var replica *stack.ReplicaFailedError
	code := stack.ErrorCode(err)
	if summary, whatToDo := alertTrouble(err); summary != "" {
		return summary, whatToDo
	}
	switch {
	case errors.As(err, &replica):
		return replicaFailed(replica)
	case errors.As(err, &rotation):
		return rotationFailed(rotation)
	case errors.As(err, &pending):
		return "An earlier rotation of the secret did not finish", pendingAdvice(pending)
	case errors.As(err, &owned):
		return "Secret is managed by another AWS service",
			fmt.Sprintf("Secret %s is owned by %s (its OwningService), which rotates it and would undo or fight any other "+
				"rotation. It cannot be adopted. Manage its rotation through that service (for an RDS-managed \"rds!\" secret: "+
				"the DB instance's or cluster's master_user_secret settings), or create a separate secret with rotator_rotated_secret "+
				"for the credentials you rotate yourself.", owned.SecretARN, owned.Service)
	case errors.As(err, &otherRegion):
		return "Secret is in another region",
			fmt.Sprintf("Secret %s is in region %s, but the provider is configured for %s. The rotation function, its log group "+
				"and invoke permission must live in the secret's region. Add a provider block with alias = %q and region = %q, "+
				"and set provider = rotator.%s on the resource and its import block.",
				otherRegion.SecretARN, otherRegion.SecretRegion, otherRegion.ProviderRegion, otherRegion.SecretRegion, otherRegion.SecretRegion, otherRegion.SecretRegion)
	case errors.As(err, &pendingValue):
		return "An earlier rotation of the secret left a value in AWSPENDING",
			fmt.Sprintf("Version %[2]s of %[1]s holds AWSPENDING and a value, but not AWSCURRENT: a rotation wrote a new value and "+
				"did not finish. Only you know whether that value is already in use (for example set on a database), so adoption "+
				"does not guess. Decide first, then import again:\n\n"+
				"- The pending value is NOT in use: drop the label (the current value stays):\n"+
				"    aws secretsmanager update-secret-version-stage --secret-id %[1]s --version-stage AWSPENDING --remove-from-version-id %[2]s\n"+
				"- The pending value IS in use: make it current (the old current value becomes AWSPREVIOUS):\n"+
				"    aws secretsmanager update-secret-version-stage --secret-id %[1]s --version-stage AWSCURRENT --move-to-version-id %[2]s --remove-from-version-id <current version id>\n"+
				"  then drop AWSPENDING as above.", pendingValue.SecretARN, pendingValue.VersionID)
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

// replicaFailed explains a replication Secrets Manager reported Failed,
// quoting its StatusMessage.
func replicaFailed(e *stack.ReplicaFailedError) (summary, whatToDo string) {
	return "Replicating the secret to " + e.Region + " failed",
		fmt.Sprintf("Secrets Manager reports the replica of %s in %s as Failed: %q.\n\n"+
			"Common causes: a secret of the same name already exists in %s (delete or rename it; the provider never "+
			"overwrites a secret it does not own), or the replica's kms_key_id is not an enabled key of %s that this "+
			"account may use. Fix the cause and run terraform apply again: the provider removes the failed replica and "+
			"replicates again.", e.SecretARN, e.Region, e.Message, e.Region, e.Region)
}

// pendingAdvice says how to clear a rotation stuck with AWSPENDING. For
// the single-user database strategies, setSecret changes the only
// password the database accepts: once it ran (the function labels the
// version config.StageSetDone), discarding AWSPENDING would lock the
// application out, so the advice is to finish the rotation instead.
func pendingAdvice(p *stack.PendingRotationError) string {
	head := fmt.Sprintf("Version %s of %s holds the AWSPENDING label but not AWSCURRENT, so Secrets Manager refuses to "+
		"start or reconfigure rotation (\"A previous rotation isn't complete\").\n\n"+
		"1. Find why it failed in the rotation function's log group (see the log_group_name attribute).\n", p.VersionID, p.SecretARN)
	discard := fmt.Sprintf("     aws secretsmanager cancel-rotate-secret --secret-id %s\n"+
		"     aws secretsmanager update-secret-version-stage --secret-id %s --version-stage AWSPENDING --remove-from-version-id %s\n",
		p.SecretARN, p.SecretARN, p.VersionID)
	current := p.CurrentVersionID
	if current == "" {
		current = "<the version that holds AWSCURRENT>"
	}
	finish := fmt.Sprintf("     aws secretsmanager cancel-rotate-secret --secret-id %s\n"+
		"     aws secretsmanager update-secret-version-stage --secret-id %s --version-stage AWSCURRENT --move-to-version-id %s --remove-from-version-id %s\n"+
		"     aws secretsmanager update-secret-version-stage --secret-id %s --version-stage AWSPENDING --remove-from-version-id %s\n",
		p.SecretARN, p.SecretARN, p.VersionID, current, p.SecretARN, p.VersionID)
	singleUser := p.Strategy == config.StrategyPostgreSQLSingleUser || p.Strategy == config.StrategyMySQLSingleUser
	switch {
	case singleUser && p.SetSecretDone:
		return head + fmt.Sprintf("2. The function already set this version's password in the database (the version carries %s), "+
			"so the database may accept no other password: do NOT discard AWSPENDING. Fix the cause and let Secrets Manager "+
			"retry, or finish the rotation by hand, making the pending version current:\n", config.StageSetDone) +
			finish + "3. Run terraform apply again."
	case singleUser:
		return head + fmt.Sprintf("2. The version does not carry %s, so setSecret did not report success; but a function that timed "+
			"out after changing the password cannot report it. Before discarding AWSPENDING, check whether its password logs in "+
			"to the database (aws secretsmanager get-secret-value --secret-id %s --version-id %s). If it does, finish the "+
			"rotation instead:\n", config.StageSetDone, p.SecretARN, p.VersionID) +
			finish + "   If it does not, cancel it and clear the label:\n" + discard + "3. Run terraform apply again."
	}
	return head + "2. Either fix the cause and let Secrets Manager retry the rotation, or cancel it and clear the label:\n" +
		discard + "3. Run terraform apply again."
}

// rotationFailed explains a rotation the provider started that failed or
// did not finish: the step, the function's own error lines for that
// rotation (what it logged, never a value), whether AWSPENDING was left,
// and what to do.
func rotationFailed(e *stack.RotationFailedError) (summary, whatToDo string) {
	what := "rotation"
	if e.TestOnly {
		what = "rotation configuration test (testSecret, rotate_immediately = false)"
	}
	switch {
	case e.Stalled:
		summary = fmt.Sprintf("The secret's %s stopped without finishing", what)
	case e.TimedOut:
		summary = fmt.Sprintf("The secret's %s did not finish within %s", what, stack.RotationWaitTimeout)
	case e.Step != "":
		summary = fmt.Sprintf("The secret's %s failed in step %s", what, e.Step)
	default:
		summary = fmt.Sprintf("The secret's %s failed", what)
	}
	var b strings.Builder
	switch {
	case len(e.Lines) > 0:
		fmt.Fprintf(&b, "The rotation function logged, for this rotation (version %s) in log group %s:\n", e.VersionID, e.LogGroup)
		for _, l := range e.Lines {
			b.WriteString("  " + l + "\n")
		}
	case e.LogErr != nil:
		fmt.Fprintf(&b, "The rotation function's log group %s could not be read (%v); look there for the lines of version %s.\n", e.LogGroup, e.LogErr, e.VersionID)
	case e.Stalled:
		fmt.Fprintf(&b, "Nothing moved for a while and the rotation function logged no error for this rotation (version %s): it failed before it could log "+
			"(a crash, a Lambda runtime error, a timeout). Look at the Lambda's own lines (errorType, \"Task timed out\") in log group %s.\n", e.VersionID, e.LogGroup)
	default:
		fmt.Fprintf(&b, "The rotation function logged no error for this rotation (version %s) in log group %s.\n", e.VersionID, e.LogGroup)
	}
	b.WriteString("\n")
	if e.PendingLeft {
		fmt.Fprintf(&b, "AWSPENDING is left on version %s, so Secrets Manager refuses another rotation (\"A previous rotation isn't complete\") until it finishes or is cleared.\n\n", e.VersionID)
	} else {
		b.WriteString("No AWSPENDING version was left behind.\n\n")
	}
	b.WriteString("What to do:\n1. Fix the cause the lines above name (for a database strategy: the database is reachable from the function, the credentials in AWSCURRENT work, the master secret is readable).\n")
	switch e.Step {
	case "", "createSecret":
		if e.PendingLeft {
			fmt.Fprintf(&b, "2. Nothing reached the target yet: you can clear the unfinished version and apply again:\n"+
				"     aws secretsmanager update-secret-version-stage --secret-id %s --version-stage AWSPENDING --remove-from-version-id %s\n", e.SecretARN, e.VersionID)
		} else {
			b.WriteString("2. Run terraform apply again.\n")
		}
	default:
		fmt.Fprintf(&b, "2. Do not remove AWSPENDING from version %s: step %s may already have set that value on the target, and it may be the only one it accepts. "+
			"Once the cause is fixed, Secrets Manager reattempts the unfinished rotation in its next rotation window; then run terraform apply again.\n", e.VersionID, e.Step)
	}
	return summary, b.String()
}

// alertTrouble explains a failure of the alerts child (the EventBridge
// rule and the topic's policy) that the user can act on.
func alertTrouble(err error) (summary, whatToDo string) {
	var step *stack.StepError
	if !errors.As(err, &step) || step.Kind != stack.KindAlertRule {
		return "", ""
	}
	var foreign *stack.ForeignRuleError
	var region *stack.AlertTopicRegionError
	var key *stack.AlertTopicKeyError
	switch {
	case errors.As(err, &key):
		return "The alert topic's encryption key keeps EventBridge out",
			fmt.Sprintf("Topic %s is encrypted with the AWS managed key %s. Its key policy cannot be changed, so EventBridge "+
				"cannot publish to the topic and no alert would ever arrive. Encrypt the topic with a customer managed KMS key "+
				"whose key policy allows events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt, or without KMS.", key.TopicARN, key.KeyID)
	case errors.As(err, &foreign):
		return "An EventBridge rule of the alert rule's name is not this provider's",
			fmt.Sprintf("The rule %s exists without the tag %s=%s, so the provider neither changes nor deletes it. "+
				"Rename or delete that rule (aws events remove-targets / delete-rule --name %s), or remove the alerts block.",
				foreign.Name, stack.ManagedByTag, stack.ManagedByValue, foreign.Name)
	case errors.As(err, &region):
		return "The alert topic is in another region", alertTopicRegionAdvice(region)
	case stack.IsTopicNotFound(err):
		return "The alert topic does not exist",
			"alerts.sns_topic_arn names no SNS topic this account can see. Create the topic first (for example an aws_sns_topic " +
				"resource, referenced by its arn so Terraform orders the two), or correct the ARN."
	case stack.IsTopicAccessDenied(err):
		return "Cannot change the alert topic's policy",
			"The provider adds (and on removal deletes) one statement in the topic's policy that lets EventBridge publish " +
				"for this secret's rule. Grant the credentials Terraform uses sns:GetTopicAttributes and sns:SetTopicAttributes " +
				"on the topic (and, for a topic of another account, let this account do so in the topic's policy)."
	}
	return "", ""
}

func alertTopicRegionAdvice(e *stack.AlertTopicRegionError) string {
	return fmt.Sprintf("An EventBridge rule sends only to SNS topics in its own region, and the rule lives with the secret in %s. "+
		"Use a topic in %s (it may forward to the other one), or put the secret in %s with a provider alias.", e.Region, e.Region, e.TopicRegion)
}

// invalidAlertTopic refuses an alerts.sns_topic_arn that is not a topic ARN.
func invalidAlertTopic(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid SNS topic ARN",
		err.Error()+". Give the topic's ARN, as the arn attribute of an aws_sns_topic resource gives it.")
}

// alertTopicRegion refuses, at plan time, a topic in another region.
func alertTopicRegion(p path.Path, err error) diag.Diagnostic {
	var region *stack.AlertTopicRegionError
	if !errors.As(err, &region) {
		return invalidAlertTopic(p, err)
	}
	return diag.NewAttributeErrorDiagnostic(p, "The alert topic is in another region", alertTopicRegionAdvice(region))
}
