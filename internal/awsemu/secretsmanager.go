package awsemu

// secretsmanager.go is the Secrets Manager backend (awsJson1_1, target
// prefix "secretsmanager"): secrets, versions and staging labels, deletion
// with a recovery window, tags, resource policies and random passwords.
// Rotation lives in secretsmanager_rotate.go.

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var _ persistent = (*smBackend)(nil)

const (
	smCurrent  = "AWSCURRENT"
	smPrevious = "AWSPREVIOUS"
	smPending  = "AWSPENDING"

	// smMaxVersions is AWS's version quota per secret; unlabeled versions
	// beyond it are removed, but never ones younger than smMinVersionAge.
	smMaxVersions   = 100
	smMinVersionAge = 24 * time.Hour

	smMsgNotFound      = "Secrets Manager can't find the specified secret."
	smMsgMarkedDeleted = "You can't perform this operation on the secret because it was marked for deletion."
)

// smVersion is one version of a secret.
type smVersion struct {
	ID           string    `json:"id"`
	HasValue     bool      `json:"hasValue"`
	String       *string   `json:"string,omitempty"`
	Binary       []byte    `json:"binary,omitempty"`
	Stages       []string  `json:"stages"`
	Created      time.Time `json:"created"`
	LastAccessed time.Time `json:"lastAccessed,omitzero"`
	KmsKeyID     string    `json:"kmsKeyId,omitempty"`
}

func (v *smVersion) hasStage(st string) bool {
	for _, s := range v.Stages {
		if s == st {
			return true
		}
	}
	return false
}

func (v *smVersion) removeStage(st string) {
	out := v.Stages[:0]
	for _, s := range v.Stages {
		if s != st {
			out = append(out, s)
		}
	}
	v.Stages = out
}

func (v *smVersion) addStage(st string) {
	if !v.hasStage(st) {
		v.Stages = append(v.Stages, st)
	}
}

// sameValue reports whether the version holds exactly this value.
func (v *smVersion) sameValue(str *string, bin []byte) bool {
	if !v.HasValue {
		return false
	}
	if (v.String == nil) != (str == nil) {
		return false
	}
	if str != nil {
		return *v.String == *str
	}
	return string(v.Binary) == string(bin)
}

// smRules is RotationRulesType.
type smRules struct {
	AutomaticallyAfterDays *int64 `json:"AutomaticallyAfterDays,omitempty"`
	Duration               string `json:"Duration,omitempty"`
	ScheduleExpression     string `json:"ScheduleExpression,omitempty"`
}

// smTag is Tag.
type smTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// smSecret is one secret.
type smSecret struct {
	ARN          string    `json:"arn"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	KmsKeyID     string    `json:"kmsKeyId,omitempty"`
	Created      time.Time `json:"created"`
	LastChanged  time.Time `json:"lastChanged"`
	LastAccessed time.Time `json:"lastAccessed,omitzero"`
	// DeletedDate is when DeleteSecret scheduled the deletion;
	// DeletionDate is when the secret will be purged.
	DeletedDate  time.Time `json:"deletedDate,omitzero"`
	DeletionDate time.Time `json:"deletionDate,omitzero"`

	RotationEnabled   *bool     `json:"rotationEnabled,omitempty"`
	RotationLambdaARN string    `json:"rotationLambdaArn,omitempty"`
	Rules             *smRules  `json:"rules,omitempty"`
	LastRotated       time.Time `json:"lastRotated,omitzero"`
	NextRotation      time.Time `json:"nextRotation,omitzero"` // end of the next window
	WindowStart       time.Time `json:"windowStart,omitzero"`  // start of the next window
	// RotationBase is the last rotation or manual value change: the base
	// of the next rotation date.
	RotationBase time.Time `json:"rotationBase,omitzero"`

	Tags     []smTag               `json:"tags,omitempty"`
	Versions map[string]*smVersion `json:"versions"`
	Policy   string                `json:"policy,omitempty"`

	// Replication (secretsmanager_replica.go). PrimaryRegion is set on a
	// replicated primary (its own region) and on its replicas (the
	// primary's); Replicas only on the primary.
	PrimaryRegion string       `json:"primaryRegion,omitempty"`
	Replicas      []*smReplica `json:"replicas,omitempty"`
}

func (s *smSecret) deleted() bool { return !s.DeletedDate.IsZero() }

// holder returns the version holding stage, or nil.
func (s *smSecret) holder(stage string) *smVersion {
	for _, v := range s.Versions {
		if v.hasStage(stage) {
			return v
		}
	}
	return nil
}

// moveStage attaches stage to v, taking it from any other version. Moving
// AWSCURRENT puts AWSPREVIOUS on the version that held it.
func (s *smSecret) moveStage(stage string, v *smVersion) {
	old := s.holder(stage)
	if old == v {
		return
	}
	if old != nil {
		old.removeStage(stage)
	}
	v.addStage(stage)
	if stage == smCurrent && old != nil {
		if prev := s.holder(smPrevious); prev != nil {
			prev.removeStage(smPrevious)
		}
		old.addStage(smPrevious)
	}
}

// prune removes unlabeled versions beyond the quota, oldest first, never
// ones younger than smMinVersionAge.
func (s *smSecret) prune(now time.Time) {
	if len(s.Versions) <= smMaxVersions {
		return
	}
	var old []*smVersion
	for _, v := range s.Versions {
		if len(v.Stages) == 0 && now.Sub(v.Created) >= smMinVersionAge {
			old = append(old, v)
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i].Created.Before(old[j].Created) })
	for _, v := range old {
		if len(s.Versions) <= smMaxVersions {
			break
		}
		delete(s.Versions, v.ID)
	}
}

// smBackend holds Secrets Manager state.
type smBackend struct {
	env     *Env
	authz   Authorizer      // may be nil: everyone allowed
	runtime FunctionRuntime // may be nil: rotation functions cannot be invoked
	keys    KeyChecker      // may be nil: every key usable
	kms     *kmsBackend     // resolves key ARNs for authorisation; may be nil
	events  *eventsBackend  // receives the rotation events; may be nil

	mu      sync.Mutex
	secrets map[string]*smSecret // by ARN
	// rotating marks secrets whose rotation is running (functions are
	// invoked without holding mu).
	rotating map[string]bool
	history  []RotationRecord
	// deleting counts, per name, the CreateSecret calls that still see a
	// force-deleted secret of that name as being deleted.
	deleting map[string]int

	opts SecretsManagerOptions
	// background rotations: cancelled and awaited by close.
	bgCtx    context.Context
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
}

func newSecretsManager(env *Env, authz Authorizer, runtime FunctionRuntime, kms *kmsBackend) *smBackend {
	b := &smBackend{env: env, authz: authz, runtime: runtime, secrets: map[string]*smSecret{}, rotating: map[string]bool{},
		deleting: map[string]int{}, opts: SecretsManagerOptions{}.withDefaults()}
	b.bgCtx, b.bgCancel = context.WithCancel(context.Background())
	if kms != nil {
		b.kms, b.keys = kms, kms
	}
	return b
}

// Service registers Secrets Manager with the core.
func (b *smBackend) Service() *Service {
	svc := &Service{
		Name:         "secretsmanager",
		Protocol:     ProtocolJSON11,
		TargetPrefix: "secretsmanager",
		Ops: map[string]Handler{
			"CreateSecret":             b.createSecret,
			"DescribeSecret":           b.describeSecret,
			"GetSecretValue":           b.getSecretValue,
			"PutSecretValue":           b.putSecretValue,
			"UpdateSecret":             b.updateSecret,
			"UpdateSecretVersionStage": b.updateSecretVersionStage,
			"ListSecretVersionIds":     b.listSecretVersionIds,
			"ListSecrets":              b.listSecrets,
			"RotateSecret":             b.rotateSecret,
			"CancelRotateSecret":       b.cancelRotateSecret,
			"DeleteSecret":             b.deleteSecret,
			"RestoreSecret":            b.restoreSecret,
			"TagResource":              b.tagResource,
			"UntagResource":            b.untagResource,
			"GetRandomPassword":        b.getRandomPassword,
			"PutResourcePolicy":        b.putResourcePolicy,
			"GetResourcePolicy":        b.getResourcePolicy,
			"DeleteResourcePolicy":     b.deleteResourcePolicy,
			"ValidateResourcePolicy":   b.validateResourcePolicy,
			// secretsmanager_replica.go
			"ReplicateSecretToRegions":     b.replicateSecretToRegions,
			"RemoveRegionsFromReplication": b.removeRegionsFromReplication,
		},
	}
	for op, h := range svc.Ops {
		svc.Ops[op] = b.replicating(h)
	}
	return svc
}

func smDecode(c *Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return emuErr("SerializationException", "could not parse the request body: %v", err)
	}
	return nil
}

func smNotFound() *APIError { return emuErr("ResourceNotFoundException", smMsgNotFound) }

// arnPrefix is the ARN of a secret of region without its name.
func (b *smBackend) arnPrefix(region string) string {
	return "arn:aws:secretsmanager:" + region + ":" + b.env.AccountID + ":secret:"
}

// callRegion is the region a request is for: its SigV4 credential scope
// (the emulator's region for internal calls).
func (b *smBackend) callRegion(c *Call) string {
	if c != nil && c.Region != "" {
		return c.Region
	}
	return b.env.Region
}

// findLocked finds a secret of region by name, full ARN or partial ARN
// (the ARN without the "-XXXXXX" suffix). A secret of another region is
// invisible.
func (b *smBackend) findLocked(region, id string) *smSecret {
	if s := b.secrets[id]; s != nil {
		if s.region() != region {
			return nil
		}
		return s
	}
	if strings.HasPrefix(id, "arn:") {
		for arn, s := range b.secrets {
			if len(arn) == len(id)+7 && strings.HasPrefix(arn, id+"-") && s.region() == region {
				return s
			}
		}
		return nil
	}
	for _, s := range b.secrets {
		if s.Name == id && s.region() == region {
			return s
		}
	}
	return nil
}

// authorize checks a role caller's permission for action on resource.
func (b *smBackend) authorize(c *Call, action, resource string) error {
	if b.authz == nil {
		return nil
	}
	return b.authz.Authorize(c.Caller, "secretsmanager:"+action, resource, b.conditionKeys(c, resource))
}

// conditionKeys are the condition keys of a request on resource.
func (b *smBackend) conditionKeys(c *Call, resource string) map[string]string {
	return map[string]string{
		"secretsmanager:SecretId": resource,
		"aws:RequestedRegion":     b.callRegion(c),
	}
}

// lookupLocked resolves SecretId for action: authorises the caller, then
// fails with ResourceNotFound or, unless allowDeleted, with "marked for
// deletion".
func (b *smBackend) lookupLocked(c *Call, action, id string, allowDeleted bool) (*smSecret, error) {
	if id == "" {
		return nil, emuErr("InvalidParameterException", "You must provide a SecretId.")
	}
	s := b.findLocked(b.callRegion(c), id)
	resource := id
	if s != nil {
		resource = s.ARN
	} else if !strings.HasPrefix(id, "arn:") {
		resource = b.arnPrefix(b.callRegion(c)) + id
	}
	// A secret's resource policy applies to every caller: its explicit
	// Deny wins over everything, its Allow grants what the caller's own
	// policies do not (same account).
	keys := b.conditionKeys(c, resource)
	dec := b.resourcePolicyDecision(s, c, "secretsmanager:"+action, keys)
	if dec == policyExplicitDeny {
		var p *Principal
		if c != nil {
			p = c.Caller
		}
		return nil, smAccessDeniedByResourcePolicy(p, "secretsmanager:"+action, resource)
	}
	if err := b.authorize(c, action, resource); err != nil && (dec != policyAllow || smExplicitDeny(err)) {
		return nil, err
	}
	if s == nil {
		return nil, smNotFound()
	}
	if s.deleted() && !allowDeleted {
		return nil, emuErr("InvalidRequestException", smMsgMarkedDeleted)
	}
	if s.isReplica() && smReplicaWrites[action] {
		return nil, emuErr("InvalidParameterException", smMsgReplicaReadOnly)
	}
	return s, nil
}

// kmsAccess checks that the secret's key is usable and that a role caller
// may use it (kms:Decrypt for reads, kms:GenerateDataKey for writes) with
// the SecretARN encryption context, as Secrets Manager asks KMS to.
func (b *smBackend) kmsAccess(c *Call, secretARN, keyID string, write bool) error {
	if keyID == "" || keyID == kmsAliasManagedSM {
		return nil
	}
	action, failure, verb := "kms:Decrypt", "DecryptionFailure", "decrypt"
	if write {
		action, failure, verb = "kms:GenerateDataKey", "EncryptionFailure", "encrypt"
	}
	if b.authz != nil && c != nil {
		keyARN := keyID
		if b.kms != nil {
			if a := b.kms.keyARN(keyID); a != "" {
				keyARN = a
			}
		}
		if err := b.authz.Authorize(c.Caller, action, keyARN, map[string]string{
			"kms:EncryptionContext:SecretARN": secretARN,
			"kms:ViaService":                  "secretsmanager." + b.env.Region + ".amazonaws.com",
			"kms:CallerAccount":               b.env.AccountID,
		}); err != nil {
			return emuErr("AccessDeniedException", "Access to KMS is not allowed")
		}
	}
	if b.keys != nil {
		if err := b.keys.CheckKeyUsable(keyID); err != nil {
			msg := err.Error()
			if ae, ok := err.(*APIError); ok {
				msg = ae.Code + ": " + ae.Message
			}
			return emuErr(failure, "Secrets Manager can't %s the protected secret text using the provided KMS key. %s", verb, msg)
		}
	}
	return nil
}

var smNamePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)

// smValidateToken checks a ClientRequestToken's length (32–64).
func smValidateToken(tok string) error {
	if tok != "" && (len(tok) < 32 || len(tok) > 64) {
		return emuErr("ValidationException", "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64")
	}
	return nil
}

// smValue checks that at most one of SecretString and SecretBinary is set.
func smValue(str *string, bin []byte) error {
	if str != nil && bin != nil {
		return emuErr("InvalidParameterException", "You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if str != nil && len(*str) > 65536 || len(bin) > 65536 {
		return emuErr("InvalidParameterException", "The secret value exceeds the maximum size of 65536 bytes.")
	}
	return nil
}

func smValidateTags(tags []smTag) error {
	if len(tags) > 50 {
		return emuErr("InvalidParameterException", "You can't attach more than 50 tags to a secret.")
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return emuErr("InvalidParameterException", "Tag keys must be 1-128 characters and tag values at most 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return emuErr("InvalidParameterException", "Tag keys prefixed with 'aws:' are reserved for AWS use.")
		}
	}
	return nil
}

// putVersionLocked stores a new value under token with stages, following
// AWS's idempotency rules. It returns the version.
func (b *smBackend) putVersionLocked(s *smSecret, token string, str *string, bin []byte, stages []string, now time.Time) (*smVersion, error) {
	if token == "" {
		token = emuUUID()
	}
	if v := s.Versions[token]; v != nil {
		if v.HasValue {
			if v.sameValue(str, bin) {
				return v, nil // same token, same value: no-op
			}
			return nil, emuErr("ResourceExistsException", "You can't modify an existing version, you can only create a new version.")
		}
		// The AWSPENDING placeholder created by RotateSecret gets its value.
		v.HasValue, v.String, v.Binary, v.KmsKeyID = true, str, bin, s.KmsKeyID
		for _, st := range stages {
			s.moveStage(st, v)
		}
		s.LastChanged = now
		return v, nil
	}
	v := &smVersion{ID: token, HasValue: true, String: str, Binary: bin, Created: now, KmsKeyID: s.KmsKeyID}
	s.Versions[token] = v
	s.prune(now)
	if len(s.Versions) > smMaxVersions {
		// Nothing could be pruned: every other version is labeled or
		// younger than 24 hours.
		delete(s.Versions, token)
		return nil, emuErr("LimitExceededException", "You have exceeded the maximum number of versions (%d) for this secret; versions without staging labels are removed only when older than 24 hours.", smMaxVersions)
	}
	for _, st := range stages {
		s.moveStage(st, v)
	}
	s.LastChanged = now
	s.prune(now)
	return v, nil
}

// valueChangedLocked records a manual change of AWSCURRENT, which counts as
// a rotation for the next rotation date.
func (b *smBackend) valueChangedLocked(s *smSecret, now time.Time) {
	s.RotationBase = now
	b.abandonPendingLocked(s)
	if s.RotationEnabled != nil && *s.RotationEnabled {
		b.scheduleNextLocked(s)
	}
}

type smCreateSecretInput struct {
	Name               string
	ClientRequestToken string
	Description        *string
	KmsKeyId           string
	SecretString       *string
	SecretBinary       []byte
	Tags               []smTag
	AddReplicaRegions  []smReplicaRegion
	// ForceOverwriteReplicaSecret replaces a secret of the same name in a
	// replica region.
	ForceOverwriteReplicaSecret bool
}

func (b *smBackend) createSecret(c *Call) (any, error) {
	var in smCreateSecretInput
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if !smNamePattern.MatchString(in.Name) {
		return nil, emuErr("InvalidParameterException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	if err := smValidateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := smValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	if err := smValidateTags(in.Tags); err != nil {
		return nil, err
	}
	region := b.callRegion(c)
	if err := smValidateReplicaRegions(region, in.AddReplicaRegions); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.authorize(c, "CreateSecret", b.arnPrefix(region)+in.Name+"-??????"); err != nil {
		return nil, err
	}
	if b.stillDeletingLocked(region + "/" + in.Name) {
		return nil, emuErr("InvalidRequestException", smMsgScheduledForDeletion)
	}
	for _, s := range b.secrets {
		if s.Name != in.Name || s.region() != region {
			continue
		}
		if s.deleted() {
			return nil, emuErr("InvalidRequestException", smMsgScheduledForDeletion)
		}
		return nil, emuErr("ResourceExistsException", "The operation failed because the secret %s already exists.", in.Name)
	}
	arn := b.arnPrefix(region) + in.Name + "-" + emuRandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 6)
	hasValue := in.SecretString != nil || in.SecretBinary != nil
	if hasValue {
		if err := b.kmsAccess(c, arn, in.KmsKeyId, true); err != nil {
			return nil, err
		}
	}
	// Without a value nothing is encrypted yet: the key is first used by
	// the first PutSecretValue.
	s := &smSecret{
		ARN: arn, Name: in.Name, KmsKeyID: in.KmsKeyId, Created: c.Now, LastChanged: c.Now,
		Tags: in.Tags, Versions: map[string]*smVersion{},
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	out := map[string]any{"ARN": s.ARN, "Name": s.Name}
	if hasValue {
		v, err := b.putVersionLocked(s, in.ClientRequestToken, in.SecretString, in.SecretBinary, []string{smCurrent}, c.Now)
		if err != nil {
			return nil, err
		}
		s.RotationBase = c.Now
		out["VersionId"] = v.ID
	}
	b.secrets[arn] = s
	if len(in.AddReplicaRegions) > 0 {
		b.addReplicasLocked(s, in.AddReplicaRegions, in.ForceOverwriteReplicaSecret, c.Now)
		out["ReplicationStatus"] = s.replicationStatus()
	}
	return out, nil
}

// smDescribeOutput is DescribeSecretResponse (and SecretListEntry, with
// SecretVersionsToStages instead of VersionIdsToStages).
type smDescribeOutput struct {
	ARN                    string                `json:"ARN"`
	Name                   string                `json:"Name"`
	Description            string                `json:"Description,omitempty"`
	KmsKeyId               string                `json:"KmsKeyId,omitempty"`
	RotationEnabled        *bool                 `json:"RotationEnabled,omitempty"`
	RotationLambdaARN      string                `json:"RotationLambdaARN,omitempty"`
	RotationRules          *smRules              `json:"RotationRules,omitempty"`
	LastRotatedDate        *epochTime            `json:"LastRotatedDate,omitempty"`
	LastChangedDate        *epochTime            `json:"LastChangedDate,omitempty"`
	LastAccessedDate       *epochTime            `json:"LastAccessedDate,omitempty"`
	DeletedDate            *epochTime            `json:"DeletedDate,omitempty"`
	NextRotationDate       *epochTime            `json:"NextRotationDate,omitempty"`
	Tags                   []smTag               `json:"Tags,omitempty"`
	VersionIdsToStages     map[string][]string   `json:"VersionIdsToStages,omitempty"`
	SecretVersionsToStages map[string][]string   `json:"SecretVersionsToStages,omitempty"`
	CreatedDate            *epochTime            `json:"CreatedDate,omitempty"`
	PrimaryRegion          string                `json:"PrimaryRegion,omitempty"`
	ReplicationStatus      []smReplicationStatus `json:"ReplicationStatus,omitempty"`
}

func (b *smBackend) describeLocked(s *smSecret) smDescribeOutput {
	out := smDescribeOutput{
		ARN: s.ARN, Name: s.Name, Description: s.Description, KmsKeyId: s.KmsKeyID,
		RotationEnabled: s.RotationEnabled, RotationLambdaARN: s.RotationLambdaARN, RotationRules: s.Rules.displayRules(s.rotationBase()),
		LastChangedDate: epochPtr(s.LastChanged), LastAccessedDate: epochPtr(s.LastAccessed),
		DeletedDate: epochPtr(s.DeletedDate), Tags: s.Tags, CreatedDate: epochPtr(s.Created),
	}
	if s.RotationEnabled != nil && *s.RotationEnabled {
		out.LastRotatedDate = epochPtr(s.LastRotated)
		out.NextRotationDate = epochPtr(s.NextRotation)
	}
	out.PrimaryRegion = s.PrimaryRegion
	out.ReplicationStatus = s.replicationStatus()
	stages := map[string][]string{}
	for id, v := range s.Versions {
		if len(v.Stages) > 0 {
			st := append([]string(nil), v.Stages...)
			sort.Strings(st)
			stages[id] = st
		}
	}
	if len(stages) > 0 {
		out.VersionIdsToStages = stages
	}
	return out
}

type smSecretIDInput struct {
	SecretId string
}

// withSecret decodes a {"SecretId"} request, finds the secret as
// lookupLocked does for op (allowDeleted accepts a secret scheduled for
// deletion) and runs f with the backend locked.
func (b *smBackend) withSecret(c *Call, op string, allowDeleted bool, f func(s *smSecret) (any, error)) (any, error) {
	var in smSecretIDInput
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, op, in.SecretId, allowDeleted)
	if err != nil {
		return nil, err
	}
	return f(s)
}

func (b *smBackend) describeSecret(c *Call) (any, error) {
	return b.withSecret(c, "DescribeSecret", true, func(s *smSecret) (any, error) {
		b.replicaPolledLocked(s, c.Now)
		return b.describeLocked(s), nil
	})
}

func (b *smBackend) getSecretValue(c *Call) (any, error) {
	var in struct {
		SecretId     string
		VersionId    string
		VersionStage string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "GetSecretValue", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	var v *smVersion
	switch {
	case in.VersionId != "":
		v = s.Versions[in.VersionId]
		if v == nil {
			return nil, emuErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.VersionId)
		}
		if in.VersionStage != "" && !v.hasStage(in.VersionStage) {
			return nil, emuErr("InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.")
		}
	default:
		stage := in.VersionStage
		if stage == "" {
			stage = smCurrent
		}
		v = s.holder(stage)
		if v == nil {
			return nil, emuErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", stage)
		}
	}
	if !v.HasValue {
		if in.VersionId != "" {
			return nil, emuErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.VersionId)
		}
		return nil, emuErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: %s", in.VersionStage)
	}
	// Each version is decrypted with the key it was (last) encrypted with.
	if err := b.kmsAccess(c, s.ARN, v.KmsKeyID, false); err != nil {
		return nil, err
	}
	day := c.Now.Truncate(24 * time.Hour)
	s.LastAccessed, v.LastAccessed = day, day
	st := append([]string(nil), v.Stages...)
	sort.Strings(st)
	out := map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": v.ID, "VersionStages": st, "CreatedDate": epochTime(v.Created)}
	if v.String != nil {
		out["SecretString"] = *v.String
	} else {
		out["SecretBinary"] = v.Binary
	}
	return out, nil
}

func (b *smBackend) putSecretValue(c *Call) (any, error) {
	var in struct {
		SecretId           string
		ClientRequestToken string
		SecretString       *string
		SecretBinary       []byte
		VersionStages      []string
		RotationToken      string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := smValidateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := smValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	if in.SecretString == nil && in.SecretBinary == nil {
		return nil, emuErr("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
	}
	stages := in.VersionStages
	if stages == nil {
		stages = []string{smCurrent}
	}
	if len(stages) > 20 {
		return nil, emuErr("InvalidParameterException", "A version can have at most 20 staging labels.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "PutSecretValue", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	if err := b.kmsAccess(c, s.ARN, s.KmsKeyID, true); err != nil {
		return nil, err
	}
	cur := s.holder(smCurrent)
	v, err := b.putVersionLocked(s, in.ClientRequestToken, in.SecretString, in.SecretBinary, stages, c.Now)
	if err != nil {
		return nil, err
	}
	if s.holder(smCurrent) != cur {
		b.valueChangedLocked(s, c.Now)
	}
	st := append([]string(nil), v.Stages...)
	sort.Strings(st)
	return map[string]any{"ARN": s.ARN, "Name": s.Name, "VersionId": v.ID, "VersionStages": st}, nil
}

func (b *smBackend) updateSecret(c *Call) (any, error) {
	var in struct {
		SecretId           string
		ClientRequestToken string
		Description        *string
		KmsKeyId           *string
		SecretString       *string
		SecretBinary       []byte
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := smValidateToken(in.ClientRequestToken); err != nil {
		return nil, err
	}
	if err := smValue(in.SecretString, in.SecretBinary); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "UpdateSecret", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	keyID := s.KmsKeyID
	if in.KmsKeyId != nil {
		keyID = *in.KmsKeyId
	}
	hasValue := in.SecretString != nil || in.SecretBinary != nil
	if hasValue || (in.KmsKeyId != nil && keyID != s.KmsKeyID) {
		// A new key re-encrypts AWSCURRENT; a new value is encrypted.
		if err := b.kmsAccess(c, s.ARN, keyID, true); err != nil {
			return nil, err
		}
	}
	out := map[string]any{"ARN": s.ARN, "Name": s.Name}
	oldKey := s.KmsKeyID
	if hasValue {
		prevKey := s.KmsKeyID
		s.KmsKeyID = keyID
		cur := s.holder(smCurrent)
		v, err := b.putVersionLocked(s, in.ClientRequestToken, in.SecretString, in.SecretBinary, []string{smCurrent}, c.Now)
		if err != nil {
			s.KmsKeyID = prevKey
			return nil, err
		}
		if s.holder(smCurrent) != cur {
			b.valueChangedLocked(s, c.Now)
		}
		out["VersionId"] = v.ID
	}
	if in.Description != nil {
		s.Description = *in.Description
	}
	if keyID != oldKey {
		// A new key encrypts new versions; the labeled ones are
		// re-encrypted only when the caller may (reencryptLocked).
		b.reencryptLocked(c, s, keyID)
	}
	s.KmsKeyID = keyID
	s.LastChanged = c.Now
	return out, nil
}

func (b *smBackend) updateSecretVersionStage(c *Call) (any, error) {
	var in struct {
		SecretId            string
		VersionStage        string
		MoveToVersionId     string
		RemoveFromVersionId string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if in.VersionStage == "" || len(in.VersionStage) > 256 {
		return nil, emuErr("InvalidParameterException", "You must provide a VersionStage of 1 to 256 characters.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "UpdateSecretVersionStage", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	if in.MoveToVersionId == "" && in.RemoveFromVersionId == "" {
		return nil, emuErr("InvalidParameterException", "You must specify MoveToVersionId, RemoveFromVersionId, or both.")
	}
	holder := s.holder(in.VersionStage)
	if in.RemoveFromVersionId != "" {
		if s.Versions[in.RemoveFromVersionId] == nil {
			return nil, emuErr("InvalidParameterException", "Version %s not found for secret %s.", in.RemoveFromVersionId, s.Name)
		}
		if holder == nil || holder.ID != in.RemoveFromVersionId {
			return nil, emuErr("InvalidParameterException", "The staging label %s is not attached to version %s, so you can't remove it.", in.VersionStage, in.RemoveFromVersionId)
		}
	}
	if in.MoveToVersionId == "" {
		if in.VersionStage == smCurrent {
			return nil, emuErr("InvalidParameterException", "You can't remove the staging label AWSCURRENT from a version; move it to another version with MoveToVersionId instead.")
		}
		holder.removeStage(in.VersionStage)
		s.LastChanged = c.Now
		return map[string]any{"ARN": s.ARN, "Name": s.Name}, nil
	}
	target := s.Versions[in.MoveToVersionId]
	if target == nil {
		return nil, emuErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: %s", in.MoveToVersionId)
	}
	if holder != nil && holder != target && in.RemoveFromVersionId == "" {
		return nil, emuErr("InvalidParameterException", "The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", in.VersionStage, holder.ID)
	}
	if in.VersionStage == smCurrent && !target.HasValue {
		return nil, emuErr("InvalidRequestException", "You can't attach AWSCURRENT to version %s because it has no secret value.", target.ID)
	}
	s.moveStage(in.VersionStage, target)
	s.LastChanged = c.Now
	s.prune(c.Now)
	return map[string]any{"ARN": s.ARN, "Name": s.Name}, nil
}

type smVersionEntry struct {
	VersionId        string     `json:"VersionId"`
	VersionStages    []string   `json:"VersionStages,omitempty"`
	LastAccessedDate *epochTime `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epochTime `json:"CreatedDate,omitempty"`
	KmsKeyIds        []string   `json:"KmsKeyIds,omitempty"`
}

func (b *smBackend) listSecretVersionIds(c *Call) (any, error) {
	var in struct {
		SecretId          string
		MaxResults        int
		NextToken         string
		IncludeDeprecated bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "ListSecretVersionIds", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	var list []smVersionEntry
	for _, v := range s.Versions {
		if len(v.Stages) == 0 && !in.IncludeDeprecated {
			continue
		}
		st := append([]string(nil), v.Stages...)
		sort.Strings(st)
		e := smVersionEntry{VersionId: v.ID, VersionStages: st, LastAccessedDate: epochPtr(v.LastAccessed), CreatedDate: epochPtr(v.Created)}
		if v.KmsKeyID != "" {
			e.KmsKeyIds = []string{v.KmsKeyID}
		} else {
			e.KmsKeyIds = []string{"DefaultEncryptionKey"}
		}
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		ci, cj := time.Time(*list[i].CreatedDate), time.Time(*list[j].CreatedDate)
		if !ci.Equal(cj) {
			return ci.After(cj)
		}
		return list[i].VersionId < list[j].VersionId
	})
	page, next, err := smPage(list, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"ARN": s.ARN, "Name": s.Name, "Versions": page}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// smPage returns one page of list; tokens are decimal offsets.
func smPage[T any](list []T, pageSize int, token string) ([]T, string, error) {
	if pageSize < 0 || pageSize > 100 {
		return nil, "", emuErr("InvalidParameterException", "MaxResults must be between 1 and 100.")
	}
	if pageSize == 0 {
		pageSize = 100
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(list) {
			return nil, "", emuErr("InvalidNextTokenException", "The NextToken value is invalid.")
		}
		start = n
	}
	end := start + pageSize
	if end >= len(list) {
		return append([]T{}, list[start:]...), "", nil
	}
	return list[start:end], strconv.Itoa(end), nil
}

func (b *smBackend) listSecrets(c *Call) (any, error) {
	var in struct {
		MaxResults             int
		NextToken              string
		IncludePlannedDeletion bool
		SortOrder              string
		Filters                []struct {
			Key    string
			Values []string
		}
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorize(c, "ListSecrets", "*"); err != nil {
		return nil, err
	}
	for _, f := range in.Filters {
		switch f.Key {
		case "description", "name", "tag-key", "tag-value", "primary-region", "owning-service", "all":
		default:
			return nil, emuErr("InvalidParameterException", "Invalid filter key %q.", f.Key)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var list []smDescribeOutput
	region := b.callRegion(c)
	for _, s := range b.secrets {
		if s.region() != region {
			continue
		}
		if s.deleted() && !in.IncludePlannedDeletion {
			continue
		}
		if !smMatchesFilters(s, in.Filters) {
			continue
		}
		d := b.describeLocked(s)
		d.SecretVersionsToStages, d.VersionIdsToStages = d.VersionIdsToStages, nil
		list = append(list, d)
	}
	sort.Slice(list, func(i, j int) bool {
		ci, cj := time.Time(*list[i].CreatedDate), time.Time(*list[j].CreatedDate)
		if !ci.Equal(cj) {
			if in.SortOrder == "asc" {
				return ci.Before(cj)
			}
			return ci.After(cj)
		}
		return list[i].ARN < list[j].ARN
	})
	page, next, err := smPage(list, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"SecretList": page}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// smMatchesFilters applies ListSecrets filters: prefix matches, case
// insensitive, a leading "!" negates; filters are ANDed, values ORed.
func smMatchesFilters(s *smSecret, filters []struct {
	Key    string
	Values []string
}) bool {
	for _, f := range filters {
		var fields []string
		switch f.Key {
		case "name":
			fields = []string{s.Name}
		case "description":
			fields = []string{s.Description}
		case "tag-key":
			for _, t := range s.Tags {
				fields = append(fields, t.Key)
			}
		case "tag-value":
			for _, t := range s.Tags {
				fields = append(fields, t.Value)
			}
		case "primary-region":
			// The region of a replicated secret's primary (multi-Region
			// secrets only).
			fields = nil
			if s.PrimaryRegion != "" {
				fields = []string{s.PrimaryRegion}
			}
		case "owning-service":
			fields = nil
		case "all":
			fields = []string{s.Name, s.Description}
			for _, t := range s.Tags {
				fields = append(fields, t.Key, t.Value)
			}
		}
		matched := false
		for _, val := range f.Values {
			neg := strings.HasPrefix(val, "!")
			val = strings.ToLower(strings.TrimPrefix(val, "!"))
			hit := false
			for _, fv := range fields {
				if strings.HasPrefix(strings.ToLower(fv), val) {
					hit = true
				}
			}
			if hit != neg {
				matched = true
			}
		}
		if !matched {
			return false
		}
	}
	return true
}

func (b *smBackend) deleteSecret(c *Call) (any, error) {
	var in struct {
		SecretId                   string
		RecoveryWindowInDays       *int64
		ForceDeleteWithoutRecovery *bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	force := in.ForceDeleteWithoutRecovery != nil && *in.ForceDeleteWithoutRecovery
	if force && in.RecoveryWindowInDays != nil {
		return nil, emuErr("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
	}
	days := int64(30)
	if in.RecoveryWindowInDays != nil {
		days = *in.RecoveryWindowInDays
		if days < 7 || days > 30 {
			return nil, emuErr("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "DeleteSecret", in.SecretId, true)
	if ae, ok := err.(*APIError); ok && force && ae.Code == "ResourceNotFoundException" {
		// "If you forcibly delete an already deleted or nonexistent secret,
		// the operation does not return ResourceNotFoundException"
		// (DeleteSecret, ForceDeleteWithoutRecovery).
		out := map[string]any{"DeletionDate": epochTime(c.Now)}
		if strings.HasPrefix(in.SecretId, "arn:") {
			out["ARN"] = in.SecretId
		} else {
			out["Name"] = in.SecretId
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if len(s.Replicas) > 0 {
		return nil, emuErr("InvalidParameterException", smMsgDeleteWithReplicas, s.ARN, strings.Join(s.replicaRegions(), ", "))
	}
	if force {
		// The deletion finishes in the background: the name stays taken
		// for a while (see forceDeletedLocked).
		delete(b.secrets, s.ARN)
		b.forceDeletedLocked(s.region() + "/" + s.Name)
		return map[string]any{"ARN": s.ARN, "Name": s.Name, "DeletionDate": epochTime(c.Now)}, nil
	}
	if s.deleted() {
		return nil, emuErr("InvalidRequestException", "You can't perform this operation on the secret because it was already scheduled for deletion.")
	}
	s.DeletedDate = c.Now
	s.DeletionDate = c.Now.Add(time.Duration(days) * 24 * time.Hour)
	return map[string]any{"ARN": s.ARN, "Name": s.Name, "DeletionDate": epochTime(s.DeletionDate)}, nil
}

func (b *smBackend) restoreSecret(c *Call) (any, error) {
	return b.withSecret(c, "RestoreSecret", true, func(s *smSecret) (any, error) {
		s.DeletedDate, s.DeletionDate = time.Time{}, time.Time{}
		return map[string]any{"ARN": s.ARN, "Name": s.Name}, nil
	})
}

// purge removes secrets whose recovery window ended; it returns their ARNs.
func (b *smBackend) purge(now time.Time) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for arn, s := range b.secrets {
		if s.deleted() && !now.Before(s.DeletionDate) {
			delete(b.secrets, arn)
			out = append(out, arn)
		}
	}
	sort.Strings(out)
	return out
}

func (b *smBackend) tagResource(c *Call) (any, error) {
	var in struct {
		SecretId string
		Tags     []smTag
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := smValidateTags(in.Tags); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "TagResource", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		replaced := false
		for i := range s.Tags {
			if s.Tags[i].Key == t.Key {
				s.Tags[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			s.Tags = append(s.Tags, t)
		}
	}
	if len(s.Tags) > 50 {
		return nil, emuErr("InvalidParameterException", "You can't attach more than 50 tags to a secret.")
	}
	s.LastChanged = c.Now
	return nil, nil
}

func (b *smBackend) untagResource(c *Call) (any, error) {
	var in struct {
		SecretId string
		TagKeys  []string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "UntagResource", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	kept := s.Tags[:0]
	for _, t := range s.Tags {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	s.Tags = kept
	s.LastChanged = c.Now
	return nil, nil
}

func (b *smBackend) putResourcePolicy(c *Call) (any, error) {
	var in struct {
		SecretId          string
		ResourcePolicy    string
		BlockPublicPolicy *bool
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, err := b.lookupLocked(c, "PutResourcePolicy", in.SecretId, false)
	if err != nil {
		return nil, err
	}
	if err := b.checkResourcePolicy(in.ResourcePolicy, in.BlockPublicPolicy != nil && *in.BlockPublicPolicy); err != nil {
		return nil, err
	}
	s.Policy = in.ResourcePolicy
	s.LastChanged = c.Now
	return map[string]any{"ARN": s.ARN, "Name": s.Name}, nil
}

func (b *smBackend) getResourcePolicy(c *Call) (any, error) {
	return b.withSecret(c, "GetResourcePolicy", false, func(s *smSecret) (any, error) {
		out := map[string]any{"ARN": s.ARN, "Name": s.Name}
		if s.Policy != "" {
			out["ResourcePolicy"] = s.Policy
		}
		return out, nil
	})
}

func (b *smBackend) deleteResourcePolicy(c *Call) (any, error) {
	return b.withSecret(c, "DeleteResourcePolicy", false, func(s *smSecret) (any, error) {
		s.Policy = ""
		s.LastChanged = c.Now
		return map[string]any{"ARN": s.ARN, "Name": s.Name}, nil
	})
}

func (b *smBackend) validateResourcePolicy(c *Call) (any, error) {
	var in struct {
		SecretId       string
		ResourcePolicy string
	}
	if err := smDecode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorize(c, "ValidateResourcePolicy", "*"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	err := b.checkResourcePolicy(in.ResourcePolicy, false)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return map[string]any{"PolicyValidationPassed": true, "ValidationErrors": []any{}}, nil
}

type smState struct {
	Secrets map[string]*smSecret `json:"secrets"`
}

func (b *smBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(smState{Secrets: b.secrets})
}

func (b *smBackend) restore(raw []byte) error {
	var st smState
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.Secrets != nil {
		b.secrets = st.Secrets
		for _, s := range b.secrets {
			if s.Versions == nil {
				s.Versions = map[string]*smVersion{}
			}
		}
	}
	return nil
}
