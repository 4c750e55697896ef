package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/rotatorhq/terraform-provider-rotator/internal/awsemu"
	"github.com/rotatorhq/terraform-provider-rotator/internal/testdb"
)

// resourceType is the provider's one resource.
const resourceType = "rotator_rotated_secret"

// scheduleSlack is how far past the latest NextRotationDate the demo moves
// the emulator clock, so that every scheduled rotation is due.
const scheduleSlack = time.Minute

// Demo PostgreSQL role and database: the single-user secret rotates the
// password of this role on a throwaway server.
const (
	pgDemoUser     = "demo_app"
	pgDemoDatabase = "postgres"
	pgFileName     = "zz_demo_postgres.tf"
)

// pgConfig is written next to examples/demo when a PostgreSQL server can be
// started: a postgresql_single_user secret whose first value is the role's
// real password, passed write-only (Terraform/OpenTofu >= 1.11).
const pgConfig = `# Written by the demo (internal/demo): a PostgreSQL single-user secret for
# a throwaway PostgreSQL server on loopback.
variable "demo_pg_host" {
  type = string
}

variable "demo_pg_port" {
  type = number
}

variable "demo_pg_password" {
  type      = string
  sensitive = true
}

variable "demo_pg_architecture" {
  type = string
}

resource "rotator_rotated_secret" "demo_postgres" {
  name_prefix             = "demo-postgres-"
  description             = "make demo: PostgreSQL single-user rotation"
  recovery_window_in_days = 0

  secret_template = jsonencode({
    engine   = "postgres"
    host     = var.demo_pg_host
    port     = var.demo_pg_port
    username = "` + pgDemoUser + `"
    dbname   = "` + pgDemoDatabase + `"
    ssl      = false # the demo's throwaway server has no TLS; without this key, TLS is required and verified
  })
  initial_value_wo         = var.demo_pg_password
  initial_value_wo_version = 1

  rotation {
    strategy                 = "postgresql_single_user"
    automatically_after_days = 7
  }

  function {
    architecture = var.demo_pg_architecture
  }
}
`

// Options configure Run.
type Options struct {
	// RepoRoot is the repository (default: found from the working dir).
	RepoRoot string
	// Example is the directory applied (default RepoRoot/examples/demo).
	Example string
	// CLI is the Terraform or OpenTofu binary (default: what
	// scripts/find-cli.sh picks: a supported terraform or tofu on the PATH,
	// else OpenTofu built from its Go module).
	CLI string
	// SkipBundle skips building the rotation function zips.
	SkipBundle bool
	// NoPostgres skips the PostgreSQL secret even when a server can start.
	NoPostgres bool
	// Keep keeps the work dir (CLI logs, state) after a successful run.
	Keep bool
	// Out receives the report; Progress receives progress lines.
	Out, Progress io.Writer
}

// demo is one run's state.
type demo struct {
	o        Options
	work     string
	emu      *awsemu.Server
	admin    *awsemu.AdminClient
	sm       *secretsmanager.Client
	logs     *cloudwatchlogs.Client
	cli      *CLI
	pg       *testdb.Server
	redactor *Redactor
	report   Report
	applied  bool
	model    *awsemu.ModelCheck
}

// Run runs the demo. It returns an error when a step or a check failed;
// the report is printed either way, with secret values redacted.
func Run(ctx context.Context, o Options) (err error) {
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	if o.RepoRoot == "" {
		wd, werr := os.Getwd()
		if werr != nil {
			return werr
		}
		if o.RepoRoot, err = FindRepoRoot(wd); err != nil {
			return err
		}
	}
	if o.Example == "" {
		o.Example = filepath.Join(o.RepoRoot, "examples", "demo")
	}
	d := &demo{o: o, redactor: NewRedactor()}
	defer func() {
		d.cleanup(err)
		if err != nil {
			// An error may quote CLI output: never let a secret through.
			d.collectSecretValues(context.WithoutCancel(ctx))
			err = errors.New(d.redactor.Redact(err.Error()))
		}
	}()
	if err := d.run(ctx); err != nil {
		return err
	}
	return d.checkModel()
}

// checkModel fails the demo when the emulator answered anything AWS's
// published API models do not allow (awsemu.ModelCheck).
func (d *demo) checkModel() error {
	if d.model == nil {
		return nil
	}
	v := d.model.Violations()
	d.progress("AWS API model check: %d exchanges, %d violations", d.model.Checked(), len(v))
	if len(v) > 0 {
		return fmt.Errorf("the emulator broke AWS's API model %d times, first: %s", len(v), v[0])
	}
	return nil
}

func (d *demo) progress(format string, a ...any) {
	fmt.Fprintf(d.o.Progress, "demo: "+format+"\n", a...)
}

func (d *demo) run(ctx context.Context) error {
	var err error
	if d.work, err = os.MkdirTemp("", "rotator-demo-"); err != nil {
		return err
	}
	buildLog := filepath.Join(d.work, "build.log")
	blog, err := os.Create(buildLog)
	if err != nil {
		return err
	}
	defer blog.Close()

	if !d.o.SkipBundle {
		d.progress("building the rotation function (linux/arm64 and linux/amd64 zips)")
		if err := BuildBundle(ctx, d.o.RepoRoot, blog); err != nil {
			return fmt.Errorf("%w (log: %s)", err, buildLog)
		}
	}
	d.progress("building the provider")
	providerDir := filepath.Join(d.work, "provider")
	if err := os.MkdirAll(providerDir, 0o700); err != nil {
		return err
	}
	if _, err := BuildProvider(ctx, d.o.RepoRoot, providerDir, blog); err != nil {
		return fmt.Errorf("%w (log: %s)", err, buildLog)
	}
	cliPath := d.o.CLI
	if cliPath == "" {
		d.progress("finding Terraform or OpenTofu >= 1.11 on the PATH (else OpenTofu is built once from its Go module and cached: several minutes the first time)")
		if cliPath, err = EnsureTool(ctx, d.o.RepoRoot, FindCLIScript, d.o.Progress); err != nil {
			return err
		}
	}

	d.progress("starting the AWS emulator on loopback")
	if d.model, err = awsemu.NewModelCheck(); err != nil {
		return err
	}
	if d.emu, err = awsemu.Start(awsemu.Options{Addr: "127.0.0.1:0", WorkDir: filepath.Join(d.work, "emulator"), Validator: d.model}); err != nil {
		return err
	}
	emu := Emulator{URL: d.emu.URL(), Region: d.emu.Region(), AccountID: d.emu.AccountID()}
	d.admin = awsemu.NewAdminClient(emu.URL)
	cfg := aws.Config{
		Region:      emu.Region,
		Credentials: credentials.NewStaticCredentialsProvider(emulatorAccessKey, emulatorAccessKey, ""),
	}
	d.sm = secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(emu.URL) })
	d.logs = cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(emu.URL) })

	cliConfig, err := WriteCLIFiles(d.work, providerDir)
	if err != nil {
		return err
	}
	tfDir := filepath.Join(d.work, "tf")
	if err := os.MkdirAll(tfDir, 0o700); err != nil {
		return err
	}
	if _, err := CopyTFFiles(d.o.Example, tfDir, "import*.tf"); err != nil {
		return fmt.Errorf("copying the example: %w", err)
	}
	if _, err := EnsureRequiredProviders(tfDir); err != nil {
		return err
	}
	vars, err := DeclaredVariables(tfDir)
	if err != nil {
		return err
	}
	var extraEnv []string
	// Variables the example may declare: the Lambda architecture (native
	// here, so no qemu is needed) and the endpoint for an endpoints {} block.
	if vars["architecture"] {
		extraEnv = append(extraEnv, "TF_VAR_architecture="+hostArchitecture())
	}
	if vars["endpoint_url"] {
		extraEnv = append(extraEnv, "TF_VAR_endpoint_url="+emu.URL)
	}
	pgNote, pgEnv, err := d.startPostgres(ctx, tfDir)
	if err != nil {
		return err
	}
	extraEnv = append(extraEnv, pgEnv...)

	d.cli = &CLI{
		Path: cliPath, Dir: tfDir,
		Env: CLIEnv(os.Environ(), cliConfig, d.work, emu, extraEnv...),
	}
	version, err := d.cli.Version(ctx)
	if err != nil {
		return err
	}
	d.cli.Name = CommandName(version)
	d.cli.LogFile = filepath.Join(d.work, d.cli.Name+".log")
	d.progress("using %s (%s)", version, cliPath)
	d.report.Title = fmt.Sprintf("rotator demo: %s (%s) and the provider built from this tree, against the AWS emulator at %s (account %s, %s)",
		version, cliPath, emu.URL, emu.AccountID, emu.Region)

	// 1. Apply.
	rel, _ := filepath.Rel(d.o.RepoRoot, d.o.Example)
	d.progress("%s apply %s", d.cli.Name, rel)
	err = d.phase(ctx, d.cli.Name+" apply "+rel, func(p *Phase) error {
		d.applied = true
		out, err := d.cli.Run(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
		p.Notes = append(p.Notes, SummaryLines(out)...)
		if pgNote != "" {
			p.Notes = append(p.Notes, pgNote)
		}
		return err
	})
	if err != nil {
		return err
	}
	secrets, err := d.secrets(ctx)
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%s created no %s", rel, resourceType)
	}
	before, err := d.snapshots(ctx, secrets, "after apply")
	if err != nil {
		return err
	}

	// 2. A rotation on demand.
	d.progress("rotating each secret now (RotateSecret)")
	err = d.phase(ctx, "RotateSecret", func(*Phase) error {
		// RotateSecret only starts a rotation (as on AWS); the demo waits
		// for each to end before it looks at the labels.
		for _, s := range secrets {
			token := uuid.NewString()
			if _, err := d.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(s.ARN), ClientRequestToken: aws.String(token)}); err != nil {
				return fmt.Errorf("RotateSecret %s: %w", s.Name, err)
			}
			wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			rec, err := d.admin.WaitRotation(wctx, token)
			cancel()
			if err != nil {
				return fmt.Errorf("RotateSecret %s: %w", s.Name, err)
			}
			if !rec.OK {
				return fmt.Errorf("RotateSecret %s: the rotation failed after %d attempt(s): %s", s.Name, len(rec.Attempts), rec.Error)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	manual, err := d.snapshots(ctx, secrets, "after RotateSecret")
	if err != nil {
		return err
	}
	for i, s := range secrets {
		d.report.Checks = append(d.report.Checks, RotationCheck(s.Name+", RotateSecret", before[i], manual[i]))
	}
	d.checkPostgres(ctx, secrets, "after RotateSecret")

	// 3. A scheduled rotation: move the emulator clock past the schedule.
	now, err := d.admin.Now(ctx)
	if err != nil {
		return err
	}
	var latest time.Time
	for _, snap := range manual {
		if snap.NextRotation.After(latest) {
			latest = snap.NextRotation
		}
	}
	if latest.IsZero() {
		return errors.New("no secret has a next rotation date after RotateSecret: rotation is not scheduled")
	}
	advance := max(latest.Sub(now), 0) + scheduleSlack
	label := "clock +" + humanDuration(advance) + ": scheduled rotation"
	d.progress("moving the emulator clock forward %s", humanDuration(advance))
	err = d.phase(ctx, label, func(p *Phase) error {
		res, err := d.admin.AdvanceClock(ctx, advance)
		if err != nil {
			return err
		}
		for _, r := range res.Rotations {
			if !r.OK {
				d.report.Checks = append(d.report.Checks, Check{Text: "scheduled rotation of " + r.SecretARN + " failed: " + r.Error})
			}
		}
		p.Notes = append(p.Notes, fmt.Sprintf("%d scheduled rotation(s) ran; emulator clock now %s", len(res.Rotations), res.Now.UTC().Format("2006-01-02 15:04 UTC")))
		return nil
	})
	if err != nil {
		return err
	}
	scheduled, err := d.snapshots(ctx, secrets, "after the clock moved "+humanDuration(advance))
	if err != nil {
		return err
	}
	for i, s := range secrets {
		d.report.Checks = append(d.report.Checks, RotationCheck(s.Name+", scheduled rotation", manual[i], scheduled[i]))
	}
	d.checkPostgres(ctx, secrets, "after the scheduled rotation")

	for i := range secrets {
		secrets[i].Snapshots = []Snapshot{before[i], manual[i], scheduled[i]}
		if err := d.functionLog(ctx, &secrets[i]); err != nil {
			return err
		}
	}
	d.report.Secrets = secrets

	// Every secret value ever written, to check everything shown or kept.
	d.collectSecretValues(ctx)
	d.checkNoLeak("the state file", filepath.Join(tfDir, "terraform.tfstate"))

	// 4. Destroy.
	d.progress("%s destroy", d.cli.Name)
	err = d.phase(ctx, d.cli.Name+" destroy", func(p *Phase) error {
		out, err := d.cli.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
		p.Notes = append(p.Notes, SummaryLines(out)...)
		if err == nil {
			d.applied = false
		}
		return err
	})
	if err != nil {
		return err
	}
	d.checkNoLeak("the "+d.cli.Name+" output", d.cli.LogFile)

	return d.print()
}

// print checks the report for secret values, then prints it redacted.
func (d *demo) print() error {
	if d.redactor.Len() == 0 {
		d.report.Checks = append(d.report.Checks, Check{Text: "no secret value could be read back, so nothing could be checked for leaks"})
	}
	if d.o.Keep {
		d.report.Footer = append(d.report.Footer, "Work dir kept: "+d.work)
	}
	noLeak := Check{OK: true, Text: "this report shows no secret value (checked against every version's value, read back with GetSecretValue)"}
	d.report.Checks = append(d.report.Checks, noLeak)
	lines := d.report.Lines()
	leaks := d.redactor.Leaks(lines)
	if len(leaks) > 0 {
		d.report.Checks[len(d.report.Checks)-1] = Check{Text: fmt.Sprintf("report lines %v contained a secret value; it is redacted below", leaks)}
		lines = d.report.Lines()
	}
	for _, l := range lines {
		fmt.Fprintln(d.o.Out, d.redactor.Redact(l))
	}
	if d.report.Failed() {
		return errors.New("a check failed (see ✗ above)")
	}
	return nil
}

// phase runs f and records its duration and the API calls made meanwhile
// (the demo's own inspection calls happen between phases and are not
// counted).
func (d *demo) phase(ctx context.Context, name string, f func(*Phase) error) error {
	if err := d.admin.ResetCalls(ctx); err != nil {
		return err
	}
	p := Phase{Name: name}
	start := time.Now()
	ferr := f(&p)
	p.Duration = time.Since(start)
	calls, err := d.admin.Calls(ctx)
	if err != nil {
		return err
	}
	p.Calls = calls
	d.report.Phases = append(d.report.Phases, p)
	return ferr
}

// secrets lists the rotated secrets in the state.
func (d *demo) secrets(ctx context.Context) ([]SecretReport, error) {
	out, err := d.cli.Run(ctx, "show", "-json", "-no-color")
	if err != nil {
		return nil, err
	}
	res, err := ParseShowJSON([]byte(out), resourceType)
	if err != nil {
		return nil, err
	}
	var secrets []SecretReport
	for _, r := range res {
		s := SecretReport{
			Name:     r.String("name"),
			ARN:      r.String("arn"),
			LogGroup: r.String("log_group_name"),
			Strategy: "generic",
		}
		if rot := r.Block("rotation"); rot != nil {
			if st, _ := rot["strategy"].(string); st != "" {
				s.Strategy = st
			}
			s.Schedule = ScheduleOf(rot)
		}
		if s.ARN == "" {
			s.ARN = r.String("id")
		}
		if s.Name == "" {
			s.Name = r.Address
		}
		secrets = append(secrets, s)
	}
	return secrets, nil
}

// snapshots describes every secret.
func (d *demo) snapshots(ctx context.Context, secrets []SecretReport, label string) ([]Snapshot, error) {
	out := make([]Snapshot, len(secrets))
	for i, s := range secrets {
		desc, err := d.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(s.ARN)})
		if err != nil {
			return nil, fmt.Errorf("DescribeSecret %s: %w", s.Name, err)
		}
		out[i] = NewSnapshot(label, desc.VersionIdsToStages, aws.ToBool(desc.RotationEnabled),
			aws.ToTime(desc.LastRotatedDate), aws.ToTime(desc.NextRotationDate))
	}
	return out, nil
}

// functionLog reads the rotation function's log lines.
func (d *demo) functionLog(ctx context.Context, s *SecretReport) error {
	if s.LogGroup == "" {
		return nil
	}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(d.logs, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(s.LogGroup)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("FilterLogEvents %s: %w", s.LogGroup, err)
		}
		for _, e := range page.Events {
			msg := strings.TrimRight(aws.ToString(e.Message), "\r\n")
			if msg == "" {
				continue
			}
			s.LogLines = append(s.LogLines, LogLine{Time: time.UnixMilli(aws.ToInt64(e.Timestamp)), Message: msg})
		}
	}
	s.LogLines = compactLog(s.LogLines)
	return nil
}

// collectSecretValues reads the value of every version of every secret in
// the emulator and registers it with the redactor. Best effort: it is also
// used on the error path.
func (d *demo) collectSecretValues(ctx context.Context) {
	if d.sm == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	secrets := secretsmanager.NewListSecretsPaginator(d.sm, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)})
	for secrets.HasMorePages() {
		page, err := secrets.NextPage(ctx)
		if err != nil {
			return
		}
		for _, s := range page.SecretList {
			versions, err := d.sm.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{
				SecretId: s.ARN, IncludeDeprecated: aws.Bool(true),
			})
			if err != nil {
				continue
			}
			for _, v := range versions.Versions {
				val, err := d.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: s.ARN, VersionId: v.VersionId})
				if err != nil {
					continue
				}
				d.redactor.AddSecretString(aws.ToString(val.SecretString), "password")
			}
		}
	}
}

// checkNoLeak checks one file for secret values.
func (d *demo) checkNoLeak(what, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		d.report.Checks = append(d.report.Checks, Check{Text: fmt.Sprintf("could not read %s: %v", what, err)})
		return
	}
	if d.redactor.Contains(string(b)) {
		d.report.Checks = append(d.report.Checks, Check{Text: what + " contains a secret value"})
		return
	}
	d.report.Checks = append(d.report.Checks, Check{OK: true, Text: what + " contains no secret value"})
}

// startPostgres starts a throwaway PostgreSQL server and adds the
// single-user secret's configuration, when possible. It returns a note for
// the report and the TF_VAR_ environment for the configuration. Outside CI
// a missing or failing PostgreSQL only leaves the secret out (the note says
// why); under CI=true it is an error, so that CI never skips it silently.
func (d *demo) startPostgres(ctx context.Context, tfDir string) (string, []string, error) {
	if d.o.NoPostgres {
		return "", nil, nil
	}
	d.progress("starting a throwaway PostgreSQL server")
	note, env, err := d.addPostgres(ctx, tfDir)
	if err != nil {
		if os.Getenv("CI") == "true" {
			return "", nil, fmt.Errorf("%w (CI=true: the demo's PostgreSQL rotation must run; install the Debian package %s, or pass -no-postgres)", err, testdb.PackagePostgres)
		}
		return "the PostgreSQL single-user secret is skipped: " + firstLine(err.Error()), nil, nil
	}
	return note, env, nil
}

// addPostgres starts PostgreSQL, creates the demo role and writes the
// secret's configuration.
func (d *demo) addPostgres(ctx context.Context, tfDir string) (string, []string, error) {
	pg, err := testdb.StartPostgresDir("")
	if errors.Is(err, testdb.ErrNotInstalled) {
		return "", nil, fmt.Errorf("PostgreSQL is not installed (Debian package %s): %w", testdb.PackagePostgres, err)
	}
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL did not start: %w", err)
	}
	d.pg = pg
	password, err := randomHex(16)
	if err != nil {
		return "", nil, fmt.Errorf("no random password: %w", err)
	}
	d.redactor.Add(password, pg.AdminPassword)
	if err := pg.Exec(ctx, "", fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", pgDemoUser, password)); err != nil {
		return "", nil, errors.New("could not create the demo role " + pgDemoUser)
	}
	if err := os.WriteFile(filepath.Join(tfDir, pgFileName), []byte(pgConfig), 0o600); err != nil {
		return "", nil, fmt.Errorf("could not write the PostgreSQL configuration: %w", err)
	}
	return fmt.Sprintf("PostgreSQL %s:%d: role %s, single-user rotation (configuration written by the demo: %s)", pg.Host, pg.Port, pgDemoUser, pgFileName),
		[]string{
			"TF_VAR_demo_pg_host=" + pg.Host,
			"TF_VAR_demo_pg_port=" + strconv.Itoa(pg.Port),
			"TF_VAR_demo_pg_password=" + password,
			"TF_VAR_demo_pg_architecture=" + hostArchitecture(),
		}, nil
}

// checkPostgres logs in with the PostgreSQL secret's AWSCURRENT and
// AWSPREVIOUS passwords: the first must work, the second must be refused.
func (d *demo) checkPostgres(ctx context.Context, secrets []SecretReport, when string) {
	if d.pg == nil {
		return
	}
	for _, s := range secrets {
		if s.Strategy != "postgresql_single_user" {
			continue
		}
		cur, errCur := d.pgPassword(ctx, s.ARN, stageCurrent)
		prev, errPrev := d.pgPassword(ctx, s.ARN, stagePrevious)
		if errCur != nil || errPrev != nil {
			d.report.Checks = append(d.report.Checks, Check{Text: fmt.Sprintf("%s, %s: reading the secret: %v", s.Name, when, errors.Join(errCur, errPrev))})
			continue
		}
		curOK := d.pgLogin(ctx, cur) == nil
		prevOK := d.pgLogin(ctx, prev) == nil
		d.report.Checks = append(d.report.Checks, Check{
			OK: curOK && !prevOK,
			Text: fmt.Sprintf("%s, %s: PostgreSQL login with the AWSCURRENT password %s, with the AWSPREVIOUS one %s",
				s.Name, when, loginWord(curOK), loginWord(prevOK)),
		})
	}
}

func (d *demo) pgPassword(ctx context.Context, arn, stage string) (string, error) {
	out, err := d.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn), VersionStage: aws.String(stage)})
	if err != nil {
		return "", err
	}
	d.redactor.AddSecretString(aws.ToString(out.SecretString), "password")
	return passwordField(aws.ToString(out.SecretString))
}

func (d *demo) pgLogin(ctx context.Context, password string) error {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(pgDemoUser, password),
		Host:     net.JoinHostPort(d.pg.Host, strconv.Itoa(d.pg.Port)),
		Path:     "/" + pgDemoDatabase,
		RawQuery: "sslmode=disable&connect_timeout=5",
	}
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// cleanup destroys what is still applied, stops the database and the
// emulator, and removes the work dir unless asked to keep it or the run
// failed (its logs then help).
func (d *demo) cleanup(runErr error) {
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	if d.applied && d.cli != nil {
		d.progress("cleaning up: %s destroy", d.cli.Name)
		if _, err := d.cli.Run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
			d.progress("%s destroy failed; the emulator is stopped anyway, so nothing is left behind", d.cli.Name)
		}
	}
	if d.pg != nil {
		if err := d.pg.Close(); err != nil {
			d.progress("stopping PostgreSQL: %v", err)
		}
	}
	if d.emu != nil {
		if err := d.emu.Close(); err != nil {
			d.progress("stopping the emulator: %v", err)
		}
	}
	if d.work == "" {
		return
	}
	if runErr != nil || d.o.Keep {
		d.progress("work dir kept for inspection: %s", d.work)
		return
	}
	_ = os.RemoveAll(d.work)
}

// hostArchitecture is the Lambda architecture that runs natively here, so
// the demo needs no qemu.
func hostArchitecture() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

func loginWord(ok bool) string {
	if ok {
		return "works"
	}
	return "is refused"
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// humanDuration prints 7d0h1m0s as "7d 0h 1m".
func humanDuration(d time.Duration) string {
	minutes := int64(d.Round(time.Minute) / time.Minute)
	days, hours, mins := minutes/(24*60), minutes/60%24, minutes%60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh %dm", days, hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	default:
		return fmt.Sprintf("%dm", mins)
	}
}
