package kafka_test

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/eventflux-io/eventflux-go/kafka"
	"github.com/eventflux-io/eventflux-go/kafka/kafkatest"
)

// TestTLS connects over TLS to a broker whose certificate the client
// trusts, and fails against one it does not.
func TestTLS(t *testing.T) {
	server, client, _ := kafkatest.SelfSignedTLS(t)
	c := kafkatest.NewCluster(t, kfake.TLS(server))
	o := c.Options()
	o.TLS = client
	a, err := kafka.NewAdmin(o)
	if err != nil {
		t.Fatalf("trusted TLS: %v", err)
	}
	if _, err := a.EnsureTopics([]string{"secure"}, 2); err != nil {
		t.Fatalf("create a topic over TLS: %v", err)
	}
	if n, err := a.Partitions("secure"); err != nil || n["secure"] != 2 {
		t.Fatalf("partitions over TLS = %v, %v; want secure:2", n, err)
	}
	a.Close()

	o.TLS = &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}
	o.DialTimeout = time.Second
	if a, err := kafka.NewAdmin(o); err == nil {
		_, err = a.Partitions("secure")
		a.Close()
		if err == nil {
			t.Fatal("a broker certificate the client does not trust was accepted")
		}
	}
}
