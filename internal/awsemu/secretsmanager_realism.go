package awsemu

// secretsmanager_realism.go holds the parts of Secrets Manager where AWS is
// asynchronous or eventually consistent, and the options that shorten them
// for tests: background rotation with retries (see secretsmanager_rotate.go),
// force-deletion finishing in the background, and resource-policy checks
// that depend on IAM (principals that exist, public policies). Every default
// is the harsh, AWS-like one; doc.go cites the AWS page for each.

import (
	"strings"
	"time"
)

// Defaults of SecretsManagerOptions. AWS documents none of these numbers;
// each is our choice, written down in doc.go.
const (
	// smDefaultRotationAttempts is how many times a failing rotation runs
	// in all (AWS: "retries the entire rotation process multiple times").
	smDefaultRotationAttempts = 3
	// smDefaultRotationBackoff is the wait on the emulator clock before the
	// second attempt; it doubles before each further attempt.
	smDefaultRotationBackoff = 2 * time.Second
	// smDefaultForceDeleteBlockedCalls is how many CreateSecret calls for a
	// force-deleted name still answer "scheduled for deletion" (the
	// deletion finishes in the background on AWS).
	smDefaultForceDeleteBlockedCalls = 2
)

// SecretsManagerOptions tune Secrets Manager's asynchronous behaviour. The
// zero value is the realistic default of Start and of the awsemu command.
// A test that changes one must say why.
type SecretsManagerOptions struct {
	// SyncRotation runs a rotation started by RotateSecret before the call
	// answers. Default false: as on AWS, RotateSecret answers at once and
	// the rotation runs in the background.
	SyncRotation bool `json:"sync_rotation"`
	// RotationAttempts is how many times a failing rotation runs in all;
	// 0 means smDefaultRotationAttempts (3), 1 means no retry.
	RotationAttempts int `json:"rotation_attempts"`
	// RotationBackoff is the wait, on the emulator clock, before the second
	// attempt; it doubles before each further one. 0 means
	// smDefaultRotationBackoff (2s); negative means no wait.
	RotationBackoff time.Duration `json:"rotation_backoff_ns"`
	// ForceDeleteBlockedCalls is how many CreateSecret calls for a name
	// whose secret was deleted with ForceDeleteWithoutRecovery still fail
	// with "scheduled for deletion". 0 means
	// smDefaultForceDeleteBlockedCalls (2); negative means none.
	ForceDeleteBlockedCalls int `json:"force_delete_blocked_calls"`
}

// withDefaults resolves the zero values.
func (o SecretsManagerOptions) withDefaults() SecretsManagerOptions {
	if o.RotationAttempts <= 0 {
		o.RotationAttempts = smDefaultRotationAttempts
	}
	switch {
	case o.RotationBackoff == 0:
		o.RotationBackoff = smDefaultRotationBackoff
	case o.RotationBackoff < 0:
		o.RotationBackoff = 0
	}
	switch {
	case o.ForceDeleteBlockedCalls == 0:
		o.ForceDeleteBlockedCalls = smDefaultForceDeleteBlockedCalls
	case o.ForceDeleteBlockedCalls < 0:
		o.ForceDeleteBlockedCalls = 0
	}
	return o
}

// options returns the current options.
func (b *smBackend) options() SecretsManagerOptions {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opts
}

// SecretsManagerOptions returns the options in force (defaults resolved).
func (s *Server) SecretsManagerOptions() SecretsManagerOptions { return s.sm.options() }

// SetSecretsManagerOptions changes the options for what starts from now on
// (zero fields take their defaults). POST /_emu/secretsmanager/options.
func (s *Server) SetSecretsManagerOptions(o SecretsManagerOptions) {
	s.sm.mu.Lock()
	s.sm.opts = o.withDefaults()
	s.sm.mu.Unlock()
}

// smMsgScheduledForDeletion is CreateSecret's answer for a name whose
// secret is still being deleted.
const smMsgScheduledForDeletion = "You can't create this secret because a secret with this name is already scheduled for deletion."

// forceDeletedLocked records that name's secret was force-deleted: its
// deletion finishes after the next ForceDeleteBlockedCalls CreateSecret
// calls for the name. name is "REGION/NAME": a name is taken per region.
func (b *smBackend) forceDeletedLocked(name string) {
	if b.opts.ForceDeleteBlockedCalls > 0 {
		b.deleting[name] = b.opts.ForceDeleteBlockedCalls
	}
}

// stillDeletingLocked counts one CreateSecret call for name and reports
// whether the background deletion of its previous secret is unfinished.
func (b *smBackend) stillDeletingLocked(name string) bool {
	n := b.deleting[name]
	if n <= 0 {
		return false
	}
	if n == 1 {
		delete(b.deleting, name)
	} else {
		b.deleting[name] = n - 1
	}
	return true
}

// principalChecker is what Secrets Manager needs from IAM to validate a
// resource policy: whether an IAM principal ARN names an identity that
// exists and is visible (IAM changes propagate with a delay).
type principalChecker interface {
	PrincipalExists(arn string) bool
}

const (
	smMsgUnsupportedPrincipal = "This resource policy contains an unsupported principal."
	smMsgPublicPolicy         = "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret."
	smMsgPolicySyntax         = "This resource policy contains a syntax error."
)

// smParsePolicy parses a secret's resource policy: a resource policy
// whose statements name principals.
func smParsePolicy(doc string) (*policyDocument, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, emuErr("MalformedPolicyDocumentException", smMsgPolicySyntax)
	}
	d, err := parsePolicy(doc, policyResource)
	if err != nil {
		return nil, emuErr("MalformedPolicyDocumentException", smMsgPolicySyntax)
	}
	return d, nil
}

// checkResourcePolicy validates doc as PutResourcePolicy and
// ValidateResourcePolicy do: syntax, principals that exist (an IAM role or
// user ARN of this account that IAM does not know yet is
// MalformedPolicyDocumentException "unsupported principal", which AWS
// answers until a new role has propagated), and, with blockPublic, no
// statement that allows broad access (PublicPolicyException).
func (b *smBackend) checkResourcePolicy(doc string, blockPublic bool) error {
	d, err := smParsePolicy(doc)
	if err != nil {
		return err
	}
	pc, _ := b.authz.(principalChecker)
	for _, st := range d.Statement {
		for _, p := range st.Principal["AWS"] {
			if pc != nil && strings.HasPrefix(p, "arn:aws:iam::") && !strings.HasSuffix(p, ":root") && !pc.PrincipalExists(p) {
				return emuErr("MalformedPolicyDocumentException", smMsgUnsupportedPrincipal)
			}
		}
	}
	if blockPublic && smPolicyIsPublic(d) {
		return emuErr("PublicPolicyException", smMsgPublicPolicy)
	}
	return nil
}

// smFixingKeys are the condition keys that, with a fixed value, keep a
// wildcard principal from granting broad access (IAM Access Analyzer's
// notion of a public policy, which BlockPublicPolicy uses).
var smFixingKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgid": true,
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:sourceowner": true, "aws:userid": true,
}

// smPolicyIsPublic reports whether an Allow statement names a wildcard
// principal without a condition that fixes who may use it.
func smPolicyIsPublic(d *policyDocument) bool {
	for _, st := range d.Statement {
		if st.Effect != "Allow" {
			continue
		}
		wild := false
		if _, ok := st.Principal["*"]; ok {
			wild = true
		}
		for _, p := range st.Principal["AWS"] {
			if p == "*" {
				wild = true
			}
		}
		if !wild {
			continue
		}
		fixed := false
		for op, keys := range st.Condition {
			base, _, _ := conditionOperator(op)
			if !strings.HasPrefix(base, "StringEquals") && !strings.HasPrefix(base, "ArnEquals") {
				continue
			}
			for k, vals := range keys {
				if !smFixingKeys[strings.ToLower(k)] {
					continue
				}
				ok := len(vals) > 0
				for _, v := range vals {
					if strings.ContainsAny(v, "*?") {
						ok = false
					}
				}
				fixed = fixed || ok
			}
		}
		if !fixed {
			return true
		}
	}
	return false
}

// smCallerPrincipals are the identifiers a resource policy may name the
// caller by: its ARN, its role's ARN, its account's root ARN and ID.
func smCallerPrincipals(p *Principal, account string) []string {
	out := []string{"arn:aws:iam::" + account + ":root", account}
	if p == nil {
		return out
	}
	if p.ARN != "" {
		out = append(out, p.ARN)
	}
	if p.RoleName != "" {
		out = append(out, "arn:aws:iam::"+account+":role/"+p.RoleName)
	}
	return out
}

// resourcePolicyDecision evaluates the secret's resource policy for the
// caller: an explicit Deny for any of the caller's identifiers wins, then
// an Allow.
func (b *smBackend) resourcePolicyDecision(s *smSecret, c *Call, action string, keys map[string]string) policyDecision {
	if s == nil || s.Policy == "" || c == nil {
		return policyImplicitDeny
	}
	d, err := smParsePolicy(s.Policy)
	if err != nil {
		return policyImplicitDeny
	}
	return evaluateResourceForAny(d, "AWS", smCallerPrincipals(c.Caller, b.env.AccountID), action, s.ARN, keys)
}

// smAccessDeniedByResourcePolicy is the denial for an explicit Deny in a
// secret's resource policy.
func smAccessDeniedByResourcePolicy(p *Principal, action, resource string) *APIError {
	arn := ""
	if p != nil {
		arn = p.ARN
	}
	return &APIError{Code: "AccessDeniedException", HTTPStatus: 400,
		Message: "User: " + arn + " is not authorized to perform: " + action + " on resource: " + resource + " with an explicit deny in a resource-based policy"}
}

// smExplicitDeny reports whether an authoriser's denial came from an
// explicit Deny (which a resource policy's Allow cannot override).
func smExplicitDeny(err error) bool {
	ae, ok := err.(*APIError)
	return ok && strings.Contains(ae.Message, "explicit deny")
}

// reencryptLocked re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS
// versions with newKey when the caller may: kms:Decrypt on each version's
// key and kms:Encrypt on the new one (UpdateSecret: "If you don't have
// kms:Encrypt permission to the new key, Secrets Manager does not
// re-encrypt existing secret versions with the new key"). It reports
// whether it did. Other versions keep their key.
func (b *smBackend) reencryptLocked(c *Call, s *smSecret, newKey string) bool {
	labeled := []*smVersion{}
	for _, v := range s.Versions {
		if v.HasValue && (v.hasStage(smCurrent) || v.hasStage(smPending) || v.hasStage(smPrevious)) {
			labeled = append(labeled, v)
		}
	}
	if b.authz != nil && c != nil && c.Caller.IsRole() {
		ctx := map[string]string{
			"kms:EncryptionContext:SecretARN": s.ARN,
			"kms:ViaService":                  "secretsmanager." + b.env.Region + ".amazonaws.com",
			"kms:CallerAccount":               b.env.AccountID,
		}
		if newKey != "" && newKey != kmsAliasManagedSM {
			if b.authz.Authorize(c.Caller, "kms:Encrypt", b.keyARNOf(newKey), ctx) != nil {
				return false
			}
		}
		for _, v := range labeled {
			if v.KmsKeyID != "" && v.KmsKeyID != kmsAliasManagedSM {
				if b.authz.Authorize(c.Caller, "kms:Decrypt", b.keyARNOf(v.KmsKeyID), ctx) != nil {
					return false
				}
			}
		}
	}
	for _, v := range labeled {
		if v.KmsKeyID != newKey {
			v.KmsKeyID = newKey
		}
	}
	return true
}

// keyARNOf resolves a key ID or alias to its ARN for authorisation.
func (b *smBackend) keyARNOf(keyID string) string {
	if b.kms != nil {
		if a := b.kms.keyARN(keyID); a != "" {
			return a
		}
	}
	return keyID
}

// smComputedDays is the AutomaticallyAfterDays DescribeSecret reports for a
// ScheduleExpression: AWS "calculates [it] from the rotation schedule after
// every successful rotation" (RotationRulesType) without saying how. The
// emulator reports the whole days between two consecutive windows after
// base, at least 1 (so rate(4 hours) reports 1, a weekly cron 7 and a
// monthly one 28 to 31). It is reported from the moment rotation is
// configured, the harsher reading for a caller that must not mistake it
// for a days schedule.
func smComputedDays(r *smRules, base time.Time) *int64 {
	if r == nil || r.ScheduleExpression == "" {
		return nil
	}
	e, err := r.toSchedule().Expression()
	if err != nil {
		return nil
	}
	first, err := e.NextStart(base)
	if err != nil {
		return nil
	}
	second, err := e.NextStart(first)
	if err != nil {
		return nil
	}
	n := int64((second.Sub(first) + 12*time.Hour) / (24 * time.Hour))
	n = max(n, 1)
	return &n
}

// RotationAttempt is one try of a rotation in GET /_emu/rotations.
type RotationAttempt struct {
	Steps []string `json:"steps"`
	Error string   `json:"error,omitempty"`
}
