package awsemu

// kms.go is the KMS backend (awsJson1_1, target prefix "TrentService"):
// enough of customer-managed keys for Secrets Manager's KmsKeyId: keys that
// can be created, described, disabled, enabled and scheduled for deletion,
// plus aliases. Secrets Manager asks it (KeyChecker) whether a key is
// usable.

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"
)

var (
	_ KeyChecker = (*kmsBackend)(nil)
	_ persistent = (*kmsBackend)(nil)
)

// kmsKey is one customer-managed key.
type kmsKey struct {
	KeyID        string            `json:"keyId"`
	ARN          string            `json:"arn"`
	Description  string            `json:"description"`
	KeyUsage     string            `json:"keyUsage"`
	KeySpec      string            `json:"keySpec"`
	State        string            `json:"state"` // Enabled, Disabled, PendingDeletion
	Created      time.Time         `json:"created"`
	DeletionDate time.Time         `json:"deletionDate,omitzero"`
	Policy       string            `json:"policy,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// kmsBackend holds KMS state.
type kmsBackend struct {
	env     *Env
	authz   Authorizer
	mu      sync.Mutex
	keys    map[string]*kmsKey // by key ID
	aliases map[string]string  // "alias/name" -> key ID
}

func newKMS(env *Env, authz Authorizer) *kmsBackend {
	return &kmsBackend{env: env, authz: authz, keys: map[string]*kmsKey{}, aliases: map[string]string{}}
}

// Service registers KMS with the core.
func (b *kmsBackend) Service() *Service {
	return &Service{
		Name:         "kms",
		Protocol:     ProtocolJSON11,
		TargetPrefix: "TrentService",
		Ops: map[string]Handler{
			"CreateKey":           b.createKey,
			"DescribeKey":         b.describeKey,
			"DisableKey":          b.disableKey,
			"EnableKey":           b.enableKey,
			"ScheduleKeyDeletion": b.scheduleKeyDeletion,
			"CancelKeyDeletion":   b.cancelKeyDeletion,
			"CreateAlias":         b.createAlias,
			"DeleteAlias":         b.deleteAlias,
			"ListAliases":         b.listAliases,
			"ListKeys":            b.listKeys,
		},
	}
}

// kmsAliasManagedSM is the AWS managed key Secrets Manager uses by default;
// it is always usable.
const kmsAliasManagedSM = "alias/aws/secretsmanager"

func kmsNotFound(id string) *APIError {
	return &APIError{Code: "NotFoundException", Message: "Key '" + id + "' does not exist", HTTPStatus: 400}
}

// resolveLocked finds a key by ID, key ARN, alias name or alias ARN.
func (b *kmsBackend) resolveLocked(id string) (*kmsKey, *APIError) {
	if id == "" {
		return nil, emuErr("ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	keyID := id
	prefix := "arn:aws:kms:" + b.env.Region + ":" + b.env.AccountID + ":"
	switch {
	case strings.HasPrefix(id, "alias/"):
		keyID = b.aliases[id]
	case strings.HasPrefix(id, prefix+"alias/"):
		keyID = b.aliases[strings.TrimPrefix(id, prefix)]
	case strings.HasPrefix(id, prefix+"key/"):
		keyID = strings.TrimPrefix(id, prefix+"key/")
	case strings.HasPrefix(id, "arn:aws:kms:") && strings.Contains(id, ":key/"):
		// A key of another region (created with that region's credential
		// scope) resolves by its full ARN only.
		keyID = id[strings.LastIndex(id, ":key/")+len(":key/"):]
		if k := b.keys[keyID]; k == nil || k.ARN != id {
			return nil, kmsNotFound(id)
		}
	case strings.HasPrefix(id, "arn:"):
		return nil, kmsNotFound(id)
	}
	k := b.keys[keyID]
	if k == nil {
		if strings.Contains(id, "alias/") {
			return nil, &APIError{Code: "NotFoundException", Message: "Alias " + id + " is not found.", HTTPStatus: 400}
		}
		if !strings.HasPrefix(id, "arn:") {
			id = prefix + "key/" + id
		}
		return nil, kmsNotFound(id)
	}
	return k, nil
}

// CheckKeyUsable implements KeyChecker.
func (b *kmsBackend) CheckKeyUsable(id string) error {
	if id == "" || id == kmsAliasManagedSM || strings.HasSuffix(id, ":"+kmsAliasManagedSM) {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, err := b.resolveLocked(id)
	if err != nil {
		return err
	}
	switch k.State {
	case "Enabled":
		return nil
	case "Disabled":
		return &APIError{Code: "DisabledException", Message: k.ARN + " is disabled.", HTTPStatus: 400}
	default:
		return &APIError{Code: "KMSInvalidStateException", Message: k.ARN + " is pending deletion.", HTTPStatus: 400}
	}
}

// keyARN returns the ARN of the key id names, or "" when unknown.
func (b *kmsBackend) keyARN(id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, err := b.resolveLocked(id); err == nil {
		return k.ARN
	}
	return ""
}

// kmsKeyMetadata is the KeyMetadata shape.
type kmsKeyMetadata struct {
	AWSAccountId          string     `json:"AWSAccountId"`
	KeyId                 string     `json:"KeyId"`
	Arn                   string     `json:"Arn"`
	CreationDate          *epochTime `json:"CreationDate,omitempty"`
	Enabled               bool       `json:"Enabled"`
	Description           string     `json:"Description"`
	KeyUsage              string     `json:"KeyUsage"`
	KeyState              string     `json:"KeyState"`
	DeletionDate          *epochTime `json:"DeletionDate,omitempty"`
	Origin                string     `json:"Origin"`
	KeyManager            string     `json:"KeyManager"`
	CustomerMasterKeySpec string     `json:"CustomerMasterKeySpec"`
	KeySpec               string     `json:"KeySpec"`
	EncryptionAlgorithms  []string   `json:"EncryptionAlgorithms,omitempty"`
	MultiRegion           bool       `json:"MultiRegion"`
}

func (k *kmsKey) metadata(acct string) kmsKeyMetadata {
	m := kmsKeyMetadata{
		AWSAccountId: acct, KeyId: k.KeyID, Arn: k.ARN, CreationDate: epochPtr(k.Created),
		Enabled: k.State == "Enabled", Description: k.Description, KeyUsage: k.KeyUsage, KeyState: k.State,
		DeletionDate: epochPtr(k.DeletionDate), Origin: "AWS_KMS", KeyManager: "CUSTOMER",
		CustomerMasterKeySpec: k.KeySpec, KeySpec: k.KeySpec,
	}
	if k.KeyUsage == "ENCRYPT_DECRYPT" {
		m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
	}
	return m
}

func kmsDecode(c *Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return emuErr("SerializationException", "could not parse the request body: %v", err)
	}
	return nil
}

func (b *kmsBackend) authorize(c *Call, action, resource string) error {
	if b.authz == nil {
		return nil
	}
	return b.authz.Authorize(c.Caller, "kms:"+action, resource, nil)
}

type kmsTag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

func (b *kmsBackend) createKey(c *Call) (any, error) {
	var in struct {
		Description string
		KeyUsage    string
		KeySpec     string
		Policy      string
		Tags        []kmsTag
	}
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	if err := b.authorize(c, "CreateKey", "*"); err != nil {
		return nil, err
	}
	if in.KeyUsage == "" {
		in.KeyUsage = "ENCRYPT_DECRYPT"
	}
	if in.KeySpec == "" {
		in.KeySpec = "SYMMETRIC_DEFAULT"
	}
	if in.KeyUsage != "ENCRYPT_DECRYPT" || in.KeySpec != "SYMMETRIC_DEFAULT" {
		return nil, emuErr("UnsupportedOperationException", "The emulator supports symmetric ENCRYPT_DECRYPT keys only.")
	}
	if in.Policy != "" && !json.Valid([]byte(in.Policy)) {
		return nil, emuErr("MalformedPolicyDocumentException", "The policy is not valid JSON.")
	}
	id := emuUUID()
	region := b.env.Region
	if c.Region != "" {
		region = c.Region // the credential scope's region
	}
	k := &kmsKey{
		KeyID: id, ARN: "arn:aws:kms:" + region + ":" + b.env.AccountID + ":key/" + id,
		Description: in.Description, KeyUsage: in.KeyUsage, KeySpec: in.KeySpec, State: "Enabled",
		Created: c.Now, Policy: in.Policy, Tags: map[string]string{},
	}
	for _, t := range in.Tags {
		k.Tags[t.TagKey] = t.TagValue
	}
	b.mu.Lock()
	b.keys[id] = k
	md := k.metadata(b.env.AccountID)
	b.mu.Unlock()
	return map[string]any{"KeyMetadata": md}, nil
}

type kmsKeyIDInput struct {
	KeyId string
}

func (b *kmsBackend) describeKey(c *Call) (any, error) {
	return b.withKey(c, "DescribeKey", func(k *kmsKey) (any, error) {
		return map[string]any{"KeyMetadata": k.metadata(b.env.AccountID)}, nil
	})
}

// setState implements DisableKey and EnableKey.
func (b *kmsBackend) setState(c *Call, action, state string) (any, error) {
	var in kmsKeyIDInput
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, aerr := b.resolveLocked(in.KeyId)
	if aerr != nil {
		return nil, aerr
	}
	if err := b.authorize(c, action, k.ARN); err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, emuErr("KMSInvalidStateException", "%s is pending deletion.", k.ARN)
	}
	k.State = state
	return nil, nil
}

func (b *kmsBackend) disableKey(c *Call) (any, error) { return b.setState(c, "DisableKey", "Disabled") }
func (b *kmsBackend) enableKey(c *Call) (any, error)  { return b.setState(c, "EnableKey", "Enabled") }

func (b *kmsBackend) scheduleKeyDeletion(c *Call) (any, error) {
	var in struct {
		KeyId               string
		PendingWindowInDays *int
	}
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	days := 30
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
	}
	if days < 7 || days > 30 {
		return nil, emuErr("ValidationException", "1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30 and greater than or equal to 7", days)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, aerr := b.resolveLocked(in.KeyId)
	if aerr != nil {
		return nil, aerr
	}
	if err := b.authorize(c, "ScheduleKeyDeletion", k.ARN); err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, emuErr("KMSInvalidStateException", "%s is pending deletion.", k.ARN)
	}
	k.State = "PendingDeletion"
	k.DeletionDate = c.Now.Add(time.Duration(days) * 24 * time.Hour)
	return map[string]any{"KeyId": k.ARN, "DeletionDate": epochTime(k.DeletionDate), "KeyState": k.State, "PendingWindowInDays": days}, nil
}

func (b *kmsBackend) cancelKeyDeletion(c *Call) (any, error) {
	return b.withKey(c, "CancelKeyDeletion", func(k *kmsKey) (any, error) {
		if k.State != "PendingDeletion" {
			return nil, emuErr("KMSInvalidStateException", "%s is not pending deletion.", k.ARN)
		}
		// A key whose deletion is cancelled comes back disabled, as in AWS.
		k.State = "Disabled"
		k.DeletionDate = time.Time{}
		return map[string]any{"KeyId": k.ARN}, nil
	})
}

func (b *kmsBackend) createAlias(c *Call) (any, error) {
	var in struct {
		AliasName   string
		TargetKeyId string
	}
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.AliasName, "alias/") || strings.HasPrefix(in.AliasName, "alias/aws/") || len(in.AliasName) <= len("alias/") {
		return nil, emuErr("ValidationException", "Alias must start with the prefix \"alias/\" and must not begin with \"alias/aws/\".")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, aerr := b.resolveLocked(in.TargetKeyId)
	if aerr != nil {
		return nil, aerr
	}
	if err := b.authorize(c, "CreateAlias", k.ARN); err != nil {
		return nil, err
	}
	if _, ok := b.aliases[in.AliasName]; ok {
		return nil, emuErr("AlreadyExistsException", "An alias with the name arn:aws:kms:%s:%s:%s already exists", b.env.Region, b.env.AccountID, in.AliasName)
	}
	b.aliases[in.AliasName] = k.KeyID
	return nil, nil
}

func (b *kmsBackend) deleteAlias(c *Call) (any, error) {
	var in struct{ AliasName string }
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.aliases[in.AliasName]; !ok {
		return nil, &APIError{Code: "NotFoundException", Message: "Alias arn:aws:kms:" + b.env.Region + ":" + b.env.AccountID + ":" + in.AliasName + " is not found.", HTTPStatus: 400}
	}
	if err := b.authorize(c, "DeleteAlias", "arn:aws:kms:"+b.env.Region+":"+b.env.AccountID+":"+in.AliasName); err != nil {
		return nil, err
	}
	delete(b.aliases, in.AliasName)
	return nil, nil
}

func (b *kmsBackend) listAliases(c *Call) (any, error) {
	if err := b.authorize(c, "ListAliases", "*"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	type alias struct {
		AliasName   string
		AliasArn    string
		TargetKeyId string
	}
	out := []alias{}
	for name, target := range b.aliases {
		out = append(out, alias{AliasName: name, AliasArn: "arn:aws:kms:" + b.env.Region + ":" + b.env.AccountID + ":" + name, TargetKeyId: target})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AliasName < out[j].AliasName })
	return map[string]any{"Aliases": out, "Truncated": false}, nil
}

func (b *kmsBackend) listKeys(c *Call) (any, error) {
	if err := b.authorize(c, "ListKeys", "*"); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	type key struct {
		KeyId  string
		KeyArn string
	}
	out := []key{}
	for _, k := range b.keys {
		out = append(out, key{KeyId: k.KeyID, KeyArn: k.ARN})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].KeyId < out[j].KeyId })
	return map[string]any{"Keys": out, "Truncated": false}, nil
}

// purge deletes keys whose pending deletion ended; it returns their ARNs.
func (b *kmsBackend) purge(now time.Time) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for id, k := range b.keys {
		if k.State == "PendingDeletion" && !now.Before(k.DeletionDate) {
			out = append(out, k.ARN)
			delete(b.keys, id)
			for a, target := range b.aliases {
				if target == id {
					delete(b.aliases, a)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

type kmsState struct {
	Keys    map[string]*kmsKey `json:"keys"`
	Aliases map[string]string  `json:"aliases"`
}

func (b *kmsBackend) snapshot() ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return json.Marshal(kmsState{Keys: b.keys, Aliases: b.aliases})
}

func (b *kmsBackend) restore(raw []byte) error {
	var st kmsState
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if st.Keys != nil {
		b.keys = st.Keys
	}
	if st.Aliases != nil {
		b.aliases = st.Aliases
	}
	return nil
}

// withKey decodes a {"KeyId"} request, resolves the key (ID, ARN or
// alias), authorises action on it and runs f with the backend locked.
func (b *kmsBackend) withKey(c *Call, action string, f func(k *kmsKey) (any, error)) (any, error) {
	var in kmsKeyIDInput
	if err := kmsDecode(c, &in); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k, aerr := b.resolveLocked(in.KeyId)
	if aerr != nil {
		return nil, aerr
	}
	if err := b.authorize(c, action, k.ARN); err != nil {
		return nil, err
	}
	return f(k)
}
