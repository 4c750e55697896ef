// Package rotator is the Secrets Manager rotation function: a guard run
// before every invocation and the four steps (createSecret, setSecret,
// testSecret, finishSecret) of the rotation protocol, over a narrow
// Secrets Manager interface. What a step does to the secret's value and to
// its target is delegated to a strategy.Strategy chosen from the function's
// configuration.
//
// The handler never logs or returns a secret value. Its logs are JSON lines
// with the step, the secret ARN, the token and version IDs only.
package rotator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/password"
	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy"
)

// SecretsManager is the part of the Secrets Manager client the function
// uses; *secretsmanager.Client implements it.
type SecretsManager interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

var _ SecretsManager = (*secretsmanager.Client)(nil)

// Step names, as every AWS template spells them.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

// Staging labels.
const (
	StageCurrent  = "AWSCURRENT"
	StagePending  = "AWSPENDING"
	StagePrevious = "AWSPREVIOUS"
)

// Guard failures. Handle wraps them, so callers test with errors.Is.
var (
	ErrBadEvent         = errors.New("invalid rotation event")
	ErrWrongSecret      = errors.New("the event is for a secret this function does not rotate")
	ErrRotationDisabled = errors.New("the secret is not enabled for rotation")
	ErrNoStage          = errors.New("the token has no stage for rotation of the secret")
	ErrNotPending       = errors.New("the token is not set as AWSPENDING for rotation of the secret")
	ErrUnknownStep      = errors.New("unknown rotation step")
)

// stepAliases maps accepted step spellings to the camelCase step.
var stepAliases = map[string]string{
	StepCreate: StepCreate, "create_secret": StepCreate,
	StepSet: StepSet, "set_secret": StepSet,
	StepTest: StepTest, "test_secret": StepTest,
	StepFinish: StepFinish, "finish_secret": StepFinish,
}

// Handler runs one invocation of the rotation function.
type Handler struct {
	cfg         config.Config
	sm          SecretsManager
	strategy    strategy.Strategy
	strategyErr error
	log         *slog.Logger
	rand        io.Reader
}

// Option changes a Handler made by New.
type Option func(*Handler)

// WithLogger sends the handler's logs to l instead of JSON lines on stdout.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithStrategy uses s instead of the strategy that cfg names.
func WithStrategy(s strategy.Strategy) Option {
	return func(h *Handler) { h.strategy, h.strategyErr = s, nil }
}

// WithRandom draws new passwords from r instead of crypto/rand.
func WithRandom(r io.Reader) Option { return func(h *Handler) { h.rand = r } }

// New returns the handler for the secret cfg names, using sm. The strategy
// is the one cfg.Strategy names (see NewStrategy) unless WithStrategy is
// given; an unknown strategy makes every invocation fail.
func New(cfg config.Config, sm SecretsManager, opts ...Option) *Handler {
	h := &Handler{
		cfg:  cfg,
		sm:   sm,
		log:  slog.New(slog.NewJSONHandler(os.Stdout, nil)),
		rand: rand.Reader,
	}
	h.strategy, h.strategyErr = NewStrategy(cfg)
	for _, o := range opts {
		o(h)
	}
	return h
}

// Handle runs the guard and then the event's step. It is the Lambda
// handler: lambda.Start(h.Handle).
func (h *Handler) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	step, err := h.parse(ev)
	if err != nil {
		h.log.ErrorContext(ctx, "rejected event", "step", ev.Step, "secret_id", ev.SecretID, "token", ev.ClientRequestToken, "error", err.Error())
		return err
	}
	log := h.log.With("step", step, "secret_arn", h.cfg.SecretARN, "token", ev.ClientRequestToken)
	if h.strategyErr != nil {
		log.ErrorContext(ctx, "no strategy", "error", h.strategyErr.Error())
		return h.strategyErr
	}

	desc, err := h.describe(ctx, ev.SecretID)
	if err != nil {
		log.ErrorContext(ctx, "guard failed", "error", err.Error())
		return err
	}
	inv := &invocation{h: h, log: log, ev: ev, token: ev.ClientRequestToken, desc: desc}
	done, err := inv.guard(ctx)
	if err != nil || done {
		return err
	}

	switch step {
	case StepCreate:
		err = inv.createSecret(ctx)
	case StepSet:
		err = inv.setSecret(ctx)
	case StepTest:
		err = inv.testSecret(ctx)
	case StepFinish:
		err = inv.finishSecret(ctx)
	}
	if err != nil {
		log.ErrorContext(ctx, "step failed", "error", err.Error())
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// parse checks the event's fields and returns its camelCase step.
func (h *Handler) parse(ev events.SecretsManagerSecretRotationEvent) (string, error) {
	var missing []string
	if ev.Step == "" {
		missing = append(missing, "Step")
	}
	if ev.SecretID == "" {
		missing = append(missing, "SecretId")
	}
	if ev.ClientRequestToken == "" {
		missing = append(missing, "ClientRequestToken")
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%w: missing %s", ErrBadEvent, strings.Join(missing, ", "))
	}
	step, ok := stepAliases[ev.Step]
	if !ok {
		return "", fmt.Errorf("%w %q: want one of createSecret, setSecret, testSecret, finishSecret", ErrUnknownStep, ev.Step)
	}
	return step, nil
}

// describe checks that secretID is the configured secret and returns its
// description. An exact ARN match is accepted at once; a different ARN is
// refused without a call; anything else (a name) is accepted only when
// DescribeSecret resolves it to the configured ARN, and that description
// is reused.
func (h *Handler) describe(ctx context.Context, secretID string) (*secretsmanager.DescribeSecretOutput, error) {
	if secretID != h.cfg.SecretARN && strings.HasPrefix(secretID, "arn:") {
		return nil, fmt.Errorf("%w: SecretId %s, configured %s", ErrWrongSecret, secretID, h.cfg.SecretARN)
	}
	desc, err := h.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return nil, fmt.Errorf("describing the secret: %w", err)
	}
	if aws.ToString(desc.ARN) != h.cfg.SecretARN {
		return nil, fmt.Errorf("%w: SecretId %s resolves to %s, configured %s", ErrWrongSecret, secretID, aws.ToString(desc.ARN), h.cfg.SecretARN)
	}
	return desc, nil
}

// invocation is the state of one Handle call after the event was parsed.
type invocation struct {
	h     *Handler
	log   *slog.Logger
	ev    events.SecretsManagerSecretRotationEvent
	token string
	desc  *secretsmanager.DescribeSecretOutput
}

// guard applies the rotation checks to the description. done means the
// token already holds AWSCURRENT: the rotation is complete.
func (inv *invocation) guard(ctx context.Context) (done bool, err error) {
	fail := func(e error) (bool, error) {
		inv.log.ErrorContext(ctx, "guard failed", "error", e.Error())
		return false, e
	}
	if inv.desc.RotationEnabled != nil && !*inv.desc.RotationEnabled {
		return fail(fmt.Errorf("%w: %s", ErrRotationDisabled, inv.h.cfg.SecretARN))
	}
	stages, ok := inv.desc.VersionIdsToStages[inv.token]
	if !ok {
		return fail(fmt.Errorf("%w: token %s, secret %s", ErrNoStage, inv.token, inv.h.cfg.SecretARN))
	}
	if slices.Contains(stages, StageCurrent) {
		inv.log.InfoContext(ctx, "the token's version is already AWSCURRENT; nothing to do", "version_id", inv.token)
		return true, nil
	}
	if !slices.Contains(stages, StagePending) {
		return fail(fmt.Errorf("%w: token %s, secret %s", ErrNotPending, inv.token, inv.h.cfg.SecretARN))
	}
	return false, nil
}

// versionWith returns the version the description shows with stage.
func (inv *invocation) versionWith(stage string) (string, bool) {
	for id, stages := range inv.desc.VersionIdsToStages {
		if slices.Contains(stages, stage) {
			return id, true
		}
	}
	return "", false
}

// get reads a SecretString by version ID and/or stage. found is false on
// ResourceNotFoundException.
func (inv *invocation) get(ctx context.Context, versionID, stage string) (value, id string, found bool, err error) {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(inv.h.cfg.SecretARN)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	if stage != "" {
		in.VersionStage = aws.String(stage)
	}
	out, err := inv.h.sm.GetSecretValue(ctx, in)
	if err != nil {
		if isNotFound(err) {
			return "", "", false, nil
		}
		return "", "", false, fmt.Errorf("reading %s: %w", stage, err)
	}
	if out.SecretString == nil {
		return "", "", false, fmt.Errorf("the %s version has no SecretString; binary secrets are not supported", stage)
	}
	return *out.SecretString, aws.ToString(out.VersionId), true, nil
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// createSecret stores a new value for the token with AWSPENDING, unless
// one is already stored (an idempotent retry).
func (inv *invocation) createSecret(ctx context.Context) error {
	_, _, found, err := inv.get(ctx, inv.token, StagePending)
	if err != nil {
		return err
	}
	if found {
		inv.log.InfoContext(ctx, "AWSPENDING already holds a value for the token; nothing to do", "version_id", inv.token)
		return nil
	}
	current, currentID, found, err := inv.get(ctx, "", StageCurrent)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("the secret has no AWSCURRENT value to rotate from")
	}
	pw, err := password.GenerateFrom(inv.h.rand, inv.h.cfg.Password)
	if err != nil {
		return fmt.Errorf("generating the password: %w", err)
	}
	pending, err := inv.h.strategy.NewPending(ctx, current, pw)
	if err != nil {
		return fmt.Errorf("building the pending value: %w", err)
	}
	in := &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(inv.h.cfg.SecretARN),
		ClientRequestToken: aws.String(inv.token),
		SecretString:       aws.String(pending),
		VersionStages:      []string{StagePending}, // never omit: AWSCURRENT would move at once
	}
	if inv.ev.RotationToken != "" {
		in.RotationToken = aws.String(inv.ev.RotationToken)
	}
	if _, err := inv.h.sm.PutSecretValue(ctx, in); err != nil {
		return fmt.Errorf("storing AWSPENDING: %w", err)
	}
	inv.log.InfoContext(ctx, "stored the new value as AWSPENDING", "version_id", inv.token, "current_version_id", currentID)
	return nil
}

// stages returns the labels the strategy reads in step.
func (inv *invocation) stages(step string) []string {
	if r, ok := inv.h.strategy.(strategy.Reader); ok {
		return r.Stages(step)
	}
	return []string{StagePending, StageCurrent, StagePrevious}
}

// read builds the strategy.Step for setSecret or testSecret. pendingFound
// is false when the token's version has no value yet.
func (inv *invocation) read(ctx context.Context, step string) (s strategy.Step, pendingFound bool, err error) {
	want := inv.stages(step)
	s.Master = inv.master
	_, hasPrevious := inv.versionWith(StagePrevious)
	s.FirstRotation = !hasPrevious
	pendingFound = true
	if slices.Contains(want, StagePending) {
		if s.Pending, _, pendingFound, err = inv.get(ctx, inv.token, StagePending); err != nil {
			return s, false, err
		}
	}
	// With no pending value testSecret checks the configuration against
	// the current value, so it needs it.
	if slices.Contains(want, StageCurrent) || !pendingFound {
		var found bool
		if s.Current, _, found, err = inv.get(ctx, "", StageCurrent); err != nil {
			return s, pendingFound, err
		}
		if !found {
			return s, pendingFound, errors.New("the secret has no AWSCURRENT value")
		}
	}
	// The description says whether AWSPREVIOUS exists; skip the call if not.
	if _, ok := inv.versionWith(StagePrevious); ok && slices.Contains(want, StagePrevious) {
		if s.Previous, _, _, err = inv.get(ctx, "", StagePrevious); err != nil {
			return s, pendingFound, err
		}
	}
	return s, pendingFound, nil
}

// master reads AWSCURRENT of another secret (an alternating strategy's
// master secret).
func (inv *invocation) master(ctx context.Context, secretARN string) (string, error) {
	out, err := inv.h.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(secretARN),
		VersionStage: aws.String(StageCurrent),
	})
	if err != nil {
		return "", fmt.Errorf("reading the master secret %s: %w", secretARN, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("the master secret %s has no SecretString", secretARN)
	}
	return *out.SecretString, nil
}

// setSecret makes the target accept the pending value.
func (inv *invocation) setSecret(ctx context.Context) error {
	s, pendingFound, err := inv.read(ctx, StepSet)
	if err != nil {
		return err
	}
	if !pendingFound {
		return errors.New("the token's AWSPENDING version has no value; createSecret has not run")
	}
	if err := inv.h.strategy.Set(ctx, s); err != nil {
		return err
	}
	inv.log.InfoContext(ctx, "set the pending value on the target", "version_id", inv.token)
	return inv.markSet(ctx)
}

// markSet puts config.StageSetDone on the token's version once a database
// strategy's setSecret succeeded, so whoever finds the rotation stuck can
// tell whether the database already has the pending password (then the
// rotation must be finished, not discarded). A re-run finds the label in
// place and makes no call.
func (inv *invocation) markSet(ctx context.Context) error {
	if !config.IsDatabase(inv.h.cfg.Strategy) {
		return nil
	}
	old, ok := inv.versionWith(config.StageSetDone)
	if ok && old == inv.token {
		return nil
	}
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:        aws.String(inv.h.cfg.SecretARN),
		VersionStage:    aws.String(config.StageSetDone),
		MoveToVersionId: aws.String(inv.token),
	}
	if ok {
		in.RemoveFromVersionId = aws.String(old)
	}
	if _, err := inv.h.sm.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("the database accepted the pending value, but labelling the version %s failed: %w", config.StageSetDone, err)
	}
	return nil
}

// testSecret proves the pending value works, writing nothing. Without a
// pending value (RotateImmediately=false: Secrets Manager runs testSecret
// alone against an empty AWSPENDING placeholder) it checks the
// configuration with the current value as the pending one.
func (inv *invocation) testSecret(ctx context.Context) error {
	s, pendingFound, err := inv.read(ctx, StepTest)
	if err != nil {
		return err
	}
	if !pendingFound {
		s.Pending = s.Current
		inv.log.InfoContext(ctx, "the token's AWSPENDING version has no value; testing the configuration with AWSCURRENT", "version_id", inv.token)
	}
	if err := inv.h.strategy.Test(ctx, s); err != nil {
		return err
	}
	inv.log.InfoContext(ctx, "the pending value passed the test", "version_id", inv.token)
	return nil
}

// finishSecret moves AWSCURRENT to the token's version; Secrets Manager
// puts AWSPREVIOUS on the old current version.
func (inv *invocation) finishSecret(ctx context.Context) error {
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:        aws.String(inv.h.cfg.SecretARN),
		VersionStage:    aws.String(StageCurrent),
		MoveToVersionId: aws.String(inv.token),
	}
	old, ok := inv.versionWith(StageCurrent)
	if ok {
		in.RemoveFromVersionId = aws.String(old)
	}
	if _, err := inv.h.sm.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("moving AWSCURRENT: %w", err)
	}
	inv.log.InfoContext(ctx, "moved AWSCURRENT to the token's version", "version_id", inv.token, "previous_version_id", old)
	return nil
}
