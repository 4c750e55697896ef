package strategy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/rotatorhq/terraform-provider-rotator/internal/rotator/strategy/rdsca"
)

// TLSConfig returns the TLS settings for mode (taken as Effective) when
// connecting to host, or nil for plain text (TLSDisable only). Verified
// modes trust the system roots, Amazon RDS's CAs and db.CABundle.
func (db DB) TLSConfig(mode TLSMode, host string) (*tls.Config, error) {
	switch mode.Effective() {
	case TLSDisable:
		return nil, nil
	case TLSRequire:
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, ServerName: host}, nil //nolint:gosec // "ssl": "require" is the user's explicit opt-out of verification
	}
	pool, err := rdsca.Pool(db.CABundle)
	if err != nil {
		return nil, fmt.Errorf("rotation.ca_bundle: %w", err)
	}
	if mode.Effective() == TLSVerifyCA {
		return &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // the chain is verified in VerifyConnection, without the host name
			MinVersion:         tls.VersionTLS12,
			ServerName:         host,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("the server sent no certificate")
				}
				inter := x509.NewCertPool()
				for _, c := range cs.PeerCertificates[1:] {
					inter.AddCert(c)
				}
				_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter})
				return err
			},
		}, nil
	}
	return &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}, nil
}

// TLSHint explains a failed login in terms of the "ssl" key, or "" when
// err does not look like a TLS problem.
func TLSHint(mode TLSMode, err error) string {
	if err == nil || mode.Effective() == TLSDisable {
		return ""
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"tls", "x509", "certificate", "ssl"} {
		if strings.Contains(msg, s) {
			return ` (TLS is required and verified unless secret_template sets "ssl": false; a server without TLS, ` +
				`with a certificate no trusted CA signed, or with another host name is refused: add its CA with rotation.ca_bundle)`
		}
	}
	return ""
}
