package testdb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Options change how a server starts.
type Options struct {
	// TLS makes the server present a certificate for 127.0.0.1 and
	// localhost, signed by a throwaway CA made for this server alone
	// (Server.CAPEM), and refuse every TCP login that is not encrypted.
	// AdminDSN then asks for TLS without verifying the certificate.
	TLS bool
	// CertNames, when set, are the only DNS names the TLS certificate is
	// for (no IP address): a client connecting to 127.0.0.1 with host-name
	// verification must refuse it.
	CertNames []string
}

// CA is a throwaway certificate authority for tests.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	PEM  []byte // the CA certificate
}

// NewCA makes a throwaway CA valid for a day.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Issue signs a server certificate for the given IP addresses and DNS
// names and returns it and its key as PEM.
func (ca *CA) Issue(ips []net.IP, dnsNames []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	cn := "server"
	if len(dnsNames) > 0 {
		cn = dnsNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  ips,
		DNSNames:     dnsNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62)) // crypto/rand never fails on Linux
	return n
}

// writeServerCert makes a throwaway CA, writes a server certificate it
// signed (for 127.0.0.1 and localhost) as server.crt and server.key into
// dir (key mode 0600, both owned by as when set) and returns the paths,
// the server certificate and the CA certificate.
func writeServerCert(dir string, as *runAs, names []string) (certPath, keyPath string, certPEM, caPEM []byte, err error) {
	ca, err := NewCA("rotator testdb throwaway CA")
	if err != nil {
		return "", "", nil, nil, err
	}
	ips, dns := []net.IP{net.IPv4(127, 0, 0, 1)}, []string{"localhost"}
	if len(names) > 0 {
		ips, dns = nil, names
	}
	certPEM, keyPEM, err := ca.Issue(ips, dns)
	if err != nil {
		return "", "", nil, nil, err
	}
	certPath, keyPath = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return "", "", nil, nil, err
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return "", "", nil, nil, err
	}
	if as != nil {
		for _, p := range []string{certPath, keyPath} {
			if err := os.Chown(p, as.uid, as.gid); err != nil {
				return "", "", nil, nil, err
			}
		}
	}
	return certPath, keyPath, certPEM, ca.PEM, nil
}
