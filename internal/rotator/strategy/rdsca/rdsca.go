// Package rdsca holds the root certificates the database strategies trust:
// the system roots, Amazon RDS's published global CA bundle (embedded; see
// SOURCE.md for where it comes from) and the user's own bundle.
package rdsca

import (
	"crypto/x509"
	_ "embed"
	"sync"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/config"
)

// GlobalBundle is Amazon RDS's global-bundle.pem.
//
//go:embed global-bundle.pem
var GlobalBundle []byte

// GlobalBundleSHA256 is the SHA-256 of GlobalBundle recorded in SOURCE.md.
const GlobalBundleSHA256 = "fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f"

// basePool is the system roots plus GlobalBundle, parsed once per process.
var basePool = sync.OnceValue(func() *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pool.AppendCertsFromPEM(GlobalBundle)
	return pool
})

// Pool returns the system roots plus the RDS bundle plus userPEM (the
// resource's rotation.ca_bundle; "" for none).
func Pool(userPEM string) (*x509.CertPool, error) {
	pool := basePool().Clone()
	if userPEM != "" {
		certs, err := config.ParseCABundle(userPEM)
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			pool.AddCert(c)
		}
	}
	return pool, nil
}
