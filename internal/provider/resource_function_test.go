package provider_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/provider"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestAccRotatedSecret_arm64 runs the default architecture (under qemu in
// the emulator) through an immediate rotation.
func TestAccRotatedSecret_arm64(t *testing.T) {
	env, name := acctest.Start(t)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, `
  rotation {
    schedule_expression = "rate(4 hours)"
    rotate_immediately  = true
  }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("function"), knownvalue.Null()),
			},
			Check: checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
				if err := rotated(o); err != nil {
					return errorf("arm64 rotation: %v", err)
				}
				return nil
			}),
		}},
	})
}

// TestAccRotatedSecret_codeUpgrade serves new function code (as a new
// provider version would): the plan updates code_sha256 and nothing else.
func TestAccRotatedSecret_codeUpgrade(t *testing.T) {
	env, name := acctest.Start(t)
	code, err := acctest.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	next := &commentedZip{base: code}
	nextSHA, err := next.CodeSHA256("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	cfg := basicConfig(env, name, rotation30d)
	resource.Test(t, resource.TestCase{
		CheckDestroy: env.CheckDestroy,
		Steps: []resource.TestStep{
			{Config: cfg, ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(t)},
			{
				Config: cfg,
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"rotator": providerserver.NewProtocol6WithError(provider.NewWithCodeSource("next", next)()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("code_sha256"), knownvalue.StringExact(nextSHA)),
					onlyChanged(res, "code_sha256"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("code_sha256"), knownvalue.StringExact(nextSHA)),
				},
			},
		},
	})
}

// commentedZip serves the same function with a zip comment added: a valid
// package with another hash.
type commentedZip struct{ base stack.CodeSource }

func (r *commentedZip) Zip(arch string) ([]byte, error) {
	b, err := r.base.Zip(arch)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			return nil, err
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := zw.SetComment("next provider version"); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (r *commentedZip) CodeSHA256(arch string) (string, error) {
	b, err := r.Zip(arch)
	if err != nil {
		return "", err
	}
	return sha256b64(b), nil
}

// onlyChanged fails unless the planned update changes only attrs (and
// the always-recomputed bookkeeping attributes).
func onlyChanged(addr string, attrs ...string) plancheck.PlanCheck {
	return onlyChangedCheck{addr, attrs}
}

type onlyChangedCheck struct {
	addr  string
	attrs []string
}

func (c onlyChangedCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		for k, v := range before {
			if contains(c.attrs, k) {
				continue
			}
			if u, ok := unknown[k].(bool); ok && u {
				resp.Error = fmt.Errorf("%s becomes unknown; only %v may change", k, c.attrs)
				return
			}
			if fmt.Sprint(after[k]) != fmt.Sprint(v) {
				resp.Error = fmt.Errorf("%s changes from %v to %v; only %v may change", k, v, after[k], c.attrs)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for %s", c.addr)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
