package awsemu

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/google/go-cmp/cmp"
)

func TestKMSKeyLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type state struct {
		KeyState kmstypes.KeyState
		Enabled  bool
		Deletion bool
	}
	tests := []struct {
		name     string
		run      func(c *emuTestClients, keyID string) error
		wantCode string
		want     *state // DescribeKey afterwards (nil: expect NotFoundException)
	}{
		{
			name: "new key is enabled",
			run:  func(*emuTestClients, string) error { return nil },
			want: &state{KeyState: kmstypes.KeyStateEnabled, Enabled: true},
		},
		{
			name: "disable",
			run: func(c *emuTestClients, id string) error {
				_, err := c.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)})
				return err
			},
			want: &state{KeyState: kmstypes.KeyStateDisabled},
		},
		{
			name: "disable then enable through the alias",
			run: func(c *emuTestClients, id string) error {
				if _, err := c.kms.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("alias/k")}); err != nil {
					return err
				}
				_, err := c.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String("alias/k")})
				return err
			},
			want: &state{KeyState: kmstypes.KeyStateEnabled, Enabled: true},
		},
		{
			name: "schedule deletion",
			run: func(c *emuTestClients, id string) error {
				_, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
				return err
			},
			want: &state{KeyState: kmstypes.KeyStatePendingDeletion, Deletion: true},
		},
		{
			name: "window below 7 days",
			run: func(c *emuTestClients, id string) error {
				_, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(6)})
				return err
			},
			wantCode: "ValidationException",
			want:     &state{KeyState: kmstypes.KeyStateEnabled, Enabled: true},
		},
		{
			name: "enable a key pending deletion",
			run: func(c *emuTestClients, id string) error {
				if _, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
					return err
				}
				_, err := c.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)})
				return err
			},
			wantCode: "KMSInvalidStateException",
			want:     &state{KeyState: kmstypes.KeyStatePendingDeletion, Deletion: true},
		},
		{
			name: "cancelled deletion leaves the key disabled",
			run: func(c *emuTestClients, id string) error {
				if _, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
					return err
				}
				_, err := c.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
				return err
			},
			want: &state{KeyState: kmstypes.KeyStateDisabled},
		},
		{
			name: "deletion date passes",
			run: func(c *emuTestClients, id string) error {
				if _, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}); err != nil {
					return err
				}
				_, err := NewAdminClient(c.srv.URL()).AdvanceClock(ctx, 8*24*time.Hour)
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := emuTestAdmin(t)
			out, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			id := aws.ToString(out.KeyMetadata.KeyId)
			if _, err := c.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/k"), TargetKeyId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
			err = tt.run(c, id)
			if got := emuErrCode(err); got != tt.wantCode {
				t.Fatalf("error = %q (%v), want %q", got, err, tt.wantCode)
			}
			d, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: out.KeyMetadata.Arn})
			if tt.want == nil {
				var nf *kmstypes.NotFoundException
				if !errors.As(err, &nf) {
					t.Errorf("DescribeKey = %v, want NotFoundException", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := &state{KeyState: d.KeyMetadata.KeyState, Enabled: d.KeyMetadata.Enabled, Deletion: d.KeyMetadata.DeletionDate != nil}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("key (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKMSDescribeKeyIdentifiers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := emuTestAdmin(t)
	out, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
	if _, err := c.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{id, arn, "alias/app", "arn:aws:kms:us-east-1:123456789012:alias/app"} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			d, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(d.KeyMetadata.Arn) != arn {
				t.Errorf("Arn = %q, want %q", aws.ToString(d.KeyMetadata.Arn), arn)
			}
		})
	}
	_, err = c.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	if got := emuErrCode(err); got != "AlreadyExistsException" {
		t.Errorf("duplicate alias = %q, want AlreadyExistsException", got)
	}
}
