package kafka

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// scramClient is a SCRAM client (RFC 5802, without channel binding) for
// sarama's SASL/SCRAM handshake. We write our own rather than depend on
// xdg-go/scram: it is ~150 lines over the standard library (crypto/hmac,
// crypto/pbkdf2), and the module cache policy keeps dependencies few.
//
// Limitation: user names and passwords are used as given, without SASLprep
// normalisation; that matches Kafka's own Java client for ASCII credentials
// (which is what Kafka deployments use in practice).
type scramClient struct {
	newHash func() hash.Hash
	user    string
	pass    string
	authz   string
	step    int
	nonce   string
	// clientFirstBare and serverFirst are kept for the auth message.
	clientFirstBare string
	serverSignature []byte
	done            bool
}

func newSCRAMClient(h func() hash.Hash) *scramClient { return &scramClient{newHash: h} }

// Begin implements sarama.SCRAMClient.
func (c *scramClient) Begin(user, pass, authz string) error {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("kafka: scram nonce: %w", err)
	}
	*c = scramClient{newHash: c.newHash, user: user, pass: pass, authz: authz, nonce: base64.RawStdEncoding.EncodeToString(b[:])}
	return nil
}

// Step implements sarama.SCRAMClient: step 0 sends client-first, step 1
// answers server-first with client-final, step 2 verifies server-final.
func (c *scramClient) Step(challenge string) (string, error) {
	c.step++
	switch c.step {
	case 1:
		c.clientFirstBare = "n=" + escapeSCRAMName(c.user) + ",r=" + c.nonce
		gs2 := "n,"
		if c.authz != "" {
			gs2 += "a=" + escapeSCRAMName(c.authz)
		}
		return gs2 + "," + c.clientFirstBare, nil
	case 2:
		return c.clientFinal(challenge)
	case 3:
		return "", c.verifyServer(challenge)
	}
	return "", errors.New("kafka: scram: unexpected extra step")
}

// Done implements sarama.SCRAMClient.
func (c *scramClient) Done() bool { return c.done }

func (c *scramClient) clientFinal(serverFirst string) (string, error) {
	attrs := parseSCRAMAttrs(serverFirst)
	if e, ok := attrs["e"]; ok {
		return "", fmt.Errorf("kafka: scram: server error %q", e)
	}
	nonce, salt64, iter := attrs["r"], attrs["s"], attrs["i"]
	if !strings.HasPrefix(nonce, c.nonce) || len(nonce) == len(c.nonce) {
		return "", errors.New("kafka: scram: server nonce does not extend the client nonce")
	}
	salt, err := base64.StdEncoding.DecodeString(salt64)
	if err != nil {
		return "", fmt.Errorf("kafka: scram: bad salt: %w", err)
	}
	n, err := strconv.Atoi(iter)
	if err != nil || n < 1 {
		return "", fmt.Errorf("kafka: scram: bad iteration count %q", iter)
	}
	keyLen := c.newHash().Size()
	salted, err := pbkdf2.Key(c.newHash, c.pass, salt, n, keyLen)
	if err != nil {
		return "", fmt.Errorf("kafka: scram: %w", err)
	}
	clientKey := c.hmac(salted, "Client Key")
	h := c.newHash()
	h.Write(clientKey)
	storedKey := h.Sum(nil)
	gs2 := "n,"
	if c.authz != "" {
		gs2 += "a=" + escapeSCRAMName(c.authz)
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(gs2+",")) + ",r=" + nonce
	authMsg := c.clientFirstBare + "," + serverFirst + "," + withoutProof
	sig := c.hmac(storedKey, authMsg)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	c.serverSignature = c.hmac(c.hmac(salted, "Server Key"), authMsg)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

func (c *scramClient) verifyServer(serverFinal string) error {
	attrs := parseSCRAMAttrs(serverFinal)
	if e, ok := attrs["e"]; ok {
		return fmt.Errorf("kafka: scram: server error %q", e)
	}
	v, err := base64.StdEncoding.DecodeString(attrs["v"])
	if err != nil || !hmac.Equal(v, c.serverSignature) {
		return errors.New("kafka: scram: server signature mismatch")
	}
	c.done = true
	return nil
}

func (c *scramClient) hmac(key []byte, msg string) []byte {
	m := hmac.New(c.newHash, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func parseSCRAMAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		if len(part) >= 2 && part[1] == '=' {
			out[part[:1]] = part[2:]
		}
	}
	return out
}

// escapeSCRAMName escapes ',' and '=' in a saslname (RFC 5802 section 5.1).
func escapeSCRAMName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}
