package awsemu

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// BenchmarkGetSecretValue measures one signed round trip through the core.
func BenchmarkGetSecretValue(b *testing.B) {
	srv, err := Start(Options{Validator: ModelCheckFor(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := emuTestClientsFor(srv, emuTestConfig(srv, "test", "test", ""))
	ctx := context.Background()
	out, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bench"), SecretString: aws.String("v")})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: out.ARN}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRotateSecret measures a full four-step rotation with a fake
// function that calls back into Secrets Manager (no process start).
func BenchmarkRotateSecret(b *testing.B) {
	srv, err := Start(Options{Validator: ModelCheckFor(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := emuTestClientsFor(srv, emuTestConfig(srv, "test", "test", ""))
	f := &fakeRotationFunction{sm: c.sm}
	srv.sm.mu.Lock()
	srv.sm.runtime = f
	srv.sm.mu.Unlock()
	ctx := context.Background()
	out, err := c.sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bench"), SecretString: aws.String("v")})
	if err != nil {
		b.Fatal(err)
	}
	rules := &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: out.ARN, RotationLambdaARN: aws.String(emuTestFunctionARN), RotationRules: rules}); err != nil {
			b.Fatal(err)
		}
	}
}
