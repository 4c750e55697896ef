package rdsca

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
)

// TestGlobalBundleIsTheRecordedFile: the embedded file is the one whose
// source and SHA-256 SOURCE.md records, and it holds only Amazon RDS CAs.
func TestGlobalBundleIsTheRecordedFile(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256(GlobalBundle)
	if got := hex.EncodeToString(sum[:]); got != GlobalBundleSHA256 {
		t.Fatalf("SHA-256 of global-bundle.pem = %s, SOURCE.md records %s", got, GlobalBundleSHA256)
	}
	rest, n := GlobalBundle, 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatalf("certificate %d: %v", n+1, err)
		}
		if !c.IsCA || !strings.Contains(c.Subject.String(), "OU=Amazon RDS") {
			t.Errorf("certificate %d (%s) is not an Amazon RDS CA", n+1, c.Subject)
		}
		n++
	}
	if n != 115 {
		t.Errorf("the bundle holds %d certificates, SOURCE.md records 115", n)
	}
}

func TestPoolRejectsABadUserBundle(t *testing.T) {
	t.Parallel()
	if _, err := Pool("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"); err == nil {
		t.Error("a private key in the CA bundle was accepted")
	}
	if _, err := Pool(""); err != nil {
		t.Errorf("Pool(\"\") = %v", err)
	}
}

// TestPoolTrustsTheRDSRoots: a current Amazon RDS root (rds-ca-rsa2048-g1
// of us-east-1, valid until 2061) verifies against the pool, as a server
// chain ending in it would.
func TestPoolTrustsTheRDSRoots(t *testing.T) {
	t.Parallel()
	pool, err := Pool("")
	if err != nil {
		t.Fatal(err)
	}
	rest := GlobalBundle
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			t.Fatal("the bundle has no us-east-1 RSA2048 G1 root")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject.CommonName == "Amazon RDS us-east-1 Root CA RSA2048 G1" {
			if _, err := c.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
				t.Fatalf("the RDS root does not verify against the pool: %v", err)
			}
			return
		}
	}
}
