package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"
)

// selfClient is the client the portal calls its own public URL with: the
// stand-in bot opening its pages, the health check's probes. caFile
// names PEM certificates to trust besides the system's, for a TLS front
// whose certificate a private CA signed (or a self-signed one).
func selfClient(caFile string) (*http.Client, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	if caFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("-ca-file: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-ca-file: no PEM certificate in %s", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	c.Transport = tr
	return c, nil
}

// botFetchError is a failed request of the stand-in bot without its URL,
// which is a credential (the bot page's secret), and with what to do
// when the public URL's certificate is not trusted.
func botFetchError(method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &host) {
		return fmt.Errorf("%s bot page: the public URL's certificate is not trusted (%v): give its CA with -ca-file (DEMO_CA_FILE)", method, err)
	}
	return fmt.Errorf("%s bot page: %w", method, err)
}
