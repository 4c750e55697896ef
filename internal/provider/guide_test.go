package provider_test

// guide_test.go applies the migration guide's configurations in order
// (templates/guides/migrate-hand-built-rotation.md.tmpl), so the guide
// cannot rot. The guide's blocks are read from the template, not copied.
//
// The hashicorp/aws provider is not available offline, so the test plays
// its part: the "before" is built through the AWS APIs (buildSeed, with
// the names the guide's configuration uses), the aws_* blocks and the
// removed blocks for aws_* resources are split off each step, and where a
// step's plan destroys aws_* resources the test deletes them through the
// APIs before applying the rest. What the guide says each plan does to
// aws_* resources is checked against the configurations (the set of
// addresses that are forgotten or destroyed).

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

const guidePath = "../../templates/guides/migrate-hand-built-rotation.md.tmpl"

// guideStep is one configuration of the guide and the plan text after it.
type guideStep struct {
	HCL  string
	Plan string // the first ```text block after the configuration, if any
}

var (
	guideStepRE  = regexp.MustCompile("(?s)<!-- guide-step: ([a-z-]+) -->\n```terraform\n(.*?)\n```")
	guideTextRE  = regexp.MustCompile("(?s)```text\n(.*?)\n```")
	topBlockRE   = regexp.MustCompile(`(?ms)^([a-z_]+)(?: "([^"]*)")?(?: "([^"]*)")? \{\n.*?^\}\n?`)
	removedRE    = regexp.MustCompile(`from = ([a-z0-9_.]+)`)
	forgottenRE  = regexp.MustCompile(`# ([a-z0-9_.]+) will no longer be managed`)
	destroyedRE  = regexp.MustCompile(`# ([a-z0-9_.]+) will be destroyed`)
	rotatorBlock = regexp.MustCompile(`rotator_`)
)

// readGuide returns the guide's steps by name.
func readGuide(t *testing.T) map[string]guideStep {
	t.Helper()
	b, err := os.ReadFile(guidePath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	steps := map[string]guideStep{}
	for _, m := range guideStepRE.FindAllStringSubmatchIndex(doc, -1) {
		name, hcl := doc[m[2]:m[3]], doc[m[4]:m[5]]
		st := guideStep{HCL: hcl + "\n"}
		rest := doc[m[1]:]
		if next := strings.Index(rest, "<!-- guide-step:"); next >= 0 {
			rest = rest[:next]
		}
		if p := guideTextRE.FindStringSubmatch(rest); p != nil {
			st.Plan = p[1]
		}
		steps[name] = st
	}
	for _, want := range []string{"before", "adopt", "remove-old", "cleanup"} {
		if _, ok := steps[want]; !ok {
			t.Fatalf("the guide has no step %q (marked <!-- guide-step: %s --> before a ```terraform block)", want, want)
		}
	}
	return steps
}

// guideBlock is one top-level block of a configuration.
type guideBlock struct {
	Kind, Type, Name, Text string
}

func (b guideBlock) address() string { return b.Type + "." + b.Name }

func guideBlocks(hcl string) []guideBlock {
	var out []guideBlock
	for _, m := range topBlockRE.FindAllStringSubmatch(hcl, -1) {
		out = append(out, guideBlock{Kind: m[1], Type: m[2], Name: m[3], Text: m[0]})
	}
	return out
}

// rotatorPart is the part of a configuration this provider applies:
// everything but the aws_* resources and the removed blocks for them.
func rotatorPart(hcl string) string {
	var b strings.Builder
	for _, blk := range guideBlocks(hcl) {
		switch {
		case blk.Kind == "resource" && strings.HasPrefix(blk.Type, "aws_"):
		case blk.Kind == "removed" && !rotatorBlock.MatchString(blk.Text):
		default:
			b.WriteString(blk.Text + "\n")
		}
	}
	return b.String()
}

// awsResources are the addresses of a configuration's aws_* resources.
func awsResources(hcl string) []string {
	var out []string
	for _, blk := range guideBlocks(hcl) {
		if blk.Kind == "resource" && strings.HasPrefix(blk.Type, "aws_") {
			out = append(out, blk.address())
		}
	}
	slices.Sort(out)
	return out
}

func matches(re *regexp.Regexp, s string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestGuideMigrationPlans checks what the guide says each plan does to the
// aws_* resources against its configurations: the adopt step forgets what
// its removed blocks name (all of them resources of "before") and destroys
// nothing; the remove-old step destroys exactly what it deleted.
func TestGuideMigrationPlans(t *testing.T) {
	t.Parallel()
	g := readGuide(t)
	before, adopt, removeOld := awsResources(g["before"].HCL), awsResources(g["adopt"].HCL), awsResources(g["remove-old"].HCL)
	if len(before) != 8 {
		t.Errorf("the before configuration has %d aws_* resources, the article's has 8: %v", len(before), before)
	}
	removed := matches(removedRE, g["adopt"].HCL)
	if got := minus(removed, before); len(got) > 0 {
		t.Errorf("removed blocks for resources the before configuration does not have: %v", got)
	}
	if got := minus(minus(before, adopt), removed); len(got) > 0 {
		t.Errorf("the adopt step drops %v without a removed block: its plan would destroy them", got)
	}
	if got := matches(forgottenRE, g["adopt"].Plan); !slices.Equal(got, removed) {
		t.Errorf("the adopt step's plan says it forgets %v; its removed blocks name %v", got, removed)
	}
	if got := matches(destroyedRE, g["adopt"].Plan); len(got) > 0 {
		t.Errorf("the adopt step's plan destroys %v", got)
	}
	if !strings.Contains(g["adopt"].Plan, "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.") {
		t.Errorf("the adopt step's plan summary is not the import and in-place update")
	}
	// The warning the guide quotes is the one the provider writes.
	plan := g["adopt"].Plan
	start, end := strings.Index(plan, "The next apply adopts"), strings.Index(plan, "\n...")
	if start < 0 || end < start {
		t.Fatalf("the adopt step's plan does not quote the adoption warning")
	}
	quoted := strings.Join(strings.Fields(plan[start:end]), " ")
	if written := strings.Join(strings.Fields((&stack.Adoption{}).Describe("sensitive-credentials")), " "); !strings.Contains(written, quoted) {
		t.Errorf("the guide quotes the warning as\n%s\nthe provider writes\n%s", quoted, written)
	}
	destroyed := minus(adopt, removeOld)
	if got := matches(destroyedRE, g["remove-old"].Plan); !slices.Equal(got, destroyed) {
		t.Errorf("the remove-old step's plan says it destroys %v; the configurations destroy %v", got, destroyed)
	}
	if want := "0 to add, 0 to change, " + strconv.Itoa(len(destroyed)) + " to destroy."; !strings.Contains(g["remove-old"].Plan, want) {
		t.Errorf("the remove-old step's plan summary lacks %q", want)
	}
}

// TestAccGuideMigration applies the guide's configurations in order on the
// article's setup built through the AWS APIs.
func TestAccGuideMigration(t *testing.T) {
	env, _ := acctest.Start(t)
	g := readGuide(t)
	for _, name := range []string{articleNames.Secret, articleNames.Role, articleNames.Policy, articleNames.Function} {
		if !strings.Contains(g["before"].HCL, `"`+name+`"`) {
			t.Fatalf("the guide's before configuration does not name %q, which the test builds", name)
		}
	}
	seed := buildSeed(t, env, articleNames)
	beforeValue, err := currentValue(env, seed.SecretARN)
	if err != nil {
		t.Fatal(err)
	}
	cfg := func(step string) string { return env.ProviderBlock() + rotatorPart(g[step].HCL) }

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t),
		Steps: []resource.TestStep{
			{
				Config: cfg("adopt"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(adoptRes, plancheck.ResourceActionUpdate),
						// The old function's references to the ARN stay known: no diff for them.
						plancheck.ExpectKnownValue(adoptRes, tfjsonpath.New("arn"), knownvalue.StringExact(seed.SecretARN)),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkValue(env, seed.SecretARN, "AWSCURRENT", beforeValue),
					checkSeedUntouched(env, seed),
				),
			},
			{
				// The AWS provider's part of step 2: destroy the five resources.
				PreConfig: func() { deleteSeedRotation(t, env, seed) },
				Config:    cfg("remove-old"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error { return rotateNow(t, env, seed.SecretARN) },
					checkValue(env, seed.SecretARN, "AWSPREVIOUS", beforeValue),
				),
			},
			{
				Config: cfg("cleanup"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// deleteSeedRotation deletes the article's function, permission, role and
// policy through the APIs, as the AWS provider's destroy does.
func deleteSeedRotation(t *testing.T, env *acctest.Env, seed seedSetup) {
	t.Helper()
	ctx := context.Background()
	n := seed.Names
	if _, err := env.SDK.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(n.Function), StatementId: aws.String("AllowSecretsManagerInvoke")}); err != nil {
		t.Fatalf("RemovePermission: %v", err)
	}
	if _, err := env.SDK.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(n.Function)}); err != nil {
		t.Fatalf("DeleteFunction: %v", err)
	}
	if _, err := env.SDK.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(n.Role), PolicyName: aws.String(n.Policy)}); err != nil {
		t.Fatalf("DeleteRolePolicy: %v", err)
	}
	if _, err := env.SDK.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(n.Role)}); err != nil {
		t.Fatalf("DeleteRole: %v", err)
	}
}
