// Command seedfn is the rotation function of the seed article
// (shared/reference/seed-article.txt) ported from Python to Go so the
// emulator can run it: the "before" of the adoption tests. It is NOT a
// correct rotation function, on purpose: like the article's, it ignores the
// Step and the ClientRequestToken, reads the secret named by SECRET_ARN and
// writes a new random password as a fresh AWSCURRENT version on every
// call. Secrets Manager's AWSPENDING version is therefore never written and
// never finished: after one rotation, AWSPENDING is stuck.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"math/big"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// alphabet is Python's string.ascii_letters + string.digits + string.punctuation.
const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func generateRandomPassword(length int) (string, error) {
	out := make([]byte, length)
	for i := range out {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		out[i] = alphabet[n.Int64()]
	}
	return string(out), nil
}

func handler(ctx context.Context, _ json.RawMessage) (map[string]any, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	sm := secretsmanager.NewFromConfig(cfg)
	secretARN := os.Getenv("SECRET_ARN")
	cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretARN)})
	if err != nil {
		return nil, err
	}
	var old map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(cur.SecretString)), &old); err != nil {
		return nil, err
	}
	pw, err := generateRandomPassword(16)
	if err != nil {
		return nil, err
	}
	val, err := json.Marshal(map[string]any{"username": old["username"], "password": pw})
	if err != nil {
		return nil, err
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(secretARN), SecretString: aws.String(string(val))}); err != nil {
		return nil, err
	}
	return map[string]any{"statusCode": 200, "body": "Secret rotated successfully"}, nil
}

func main() { lambda.Start(handler) }
