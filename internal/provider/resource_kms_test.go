package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/rotatorhq/terraform-provider-rotator/internal/acctest"
	"github.com/rotatorhq/terraform-provider-rotator/internal/stack"
)

// TestAccRotatedSecret_kms encrypts with a customer key; the function
// rotates at once, which only works with the key grant in its role policy.
func TestAccRotatedSecret_kms(t *testing.T) {
	env, name := acctest.Start(t)
	kmsClient, ok := env.Clients.KMS.(*kms.Client)
	if !ok {
		t.Fatalf("KMS client is %T", env.Clients.KMS)
	}
	out, err := kmsClient.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("acc test")})
	if err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	keyARN := aws.ToString(out.KeyMetadata.Arn)
	env.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			Config: basicConfig(env, name, fmt.Sprintf(`
  kms_key_id = %q`+rotateNow30d, keyARN)),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(res, "kms_key_id", keyARN),
				checkSecret(env, name, func(o *secretsmanager.DescribeSecretOutput) error {
					if err := rotated(o); err != nil {
						return errorf("the immediate rotation under the customer key: %v", err)
					}
					return nil
				}),
				func(*terraform.State) error {
					n := stack.NamesFor(env.Region, name)
					doc, err := rolePolicy(env, n)
					if err != nil {
						return err
					}
					if !strings.Contains(doc, keyARN) || !strings.Contains(doc, "kms:EncryptionContext:SecretARN") {
						return errorf("role policy lacks the scoped key grant: %s", doc)
					}
					return nil
				},
			),
		}},
	})
}
