package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

// ClientAssertionType is the RFC 7523 client_assertion_type for a JWT.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime: SMART Backend Services asks for exp no more than five minutes ahead.
const assertionLifetime = 4 * time.Minute

// signingKey is a private key and the algorithm it signs with.
type signingKey struct {
	key crypto.Signer
	alg jose.SignatureAlgorithm
	kid string
}

// loadSigningKey reads a PEM (PKCS #8, PKCS #1 or SEC 1) or JWK private key and pairs it
// with alg: RS384 (default for RSA) or RS512 for RSA keys, ES384 (default for EC) for P-384
// keys, per SMART Backend Services.
func loadSigningKey(path, alg, kid string) (signingKey, error) {
	var sk signingKey
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return sk, fmt.Errorf("reading key_file: %w", err)
	}
	key, jwkKid, err := parsePrivateKey(data)
	if err != nil {
		return sk, fmt.Errorf("key_file %s: %w", path, err)
	}
	if kid == "" {
		kid = jwkKid
	}
	sk = signingKey{key: key, kid: kid}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		switch strings.ToUpper(alg) {
		case "", "RS384":
			sk.alg = jose.RS384
		case "RS512":
			sk.alg = jose.RS512
		default:
			return sk, fmt.Errorf("key_file %s is an RSA key; alg must be RS384 or RS512, not %s: %w", path, alg, ErrConfig)
		}
		if k.N.BitLen() < 2048 {
			return sk, fmt.Errorf("key_file %s: RSA key of %d bits is too short (2048 or more): %w", path, k.N.BitLen(), ErrConfig)
		}
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P384() {
			return sk, fmt.Errorf("key_file %s: EC key must be on P-384 for ES384: %w", path, ErrConfig)
		}
		switch strings.ToUpper(alg) {
		case "", "ES384":
			sk.alg = jose.ES384
		default:
			return sk, fmt.Errorf("key_file %s is an EC key; alg must be ES384, not %s: %w", path, alg, ErrConfig)
		}
	default:
		return sk, fmt.Errorf("key_file %s: unsupported key type %T: %w", path, key, ErrConfig)
	}
	return sk, nil
}

func parsePrivateKey(data []byte) (crypto.Signer, string, error) {
	if trimmed := strings.TrimSpace(string(data)); strings.HasPrefix(trimmed, "{") {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal([]byte(trimmed), &jwk); err != nil {
			return nil, "", fmt.Errorf("not a JWK: %v", err)
		}
		if jwk.IsPublic() {
			return nil, "", fmt.Errorf("the JWK is a public key; shcr needs the private key")
		}
		s, ok := jwk.Key.(crypto.Signer)
		if !ok {
			return nil, "", fmt.Errorf("the JWK is not a signing key")
		}
		return s, jwk.KeyID, nil
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", fmt.Errorf("no PEM block found")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, "", err
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, "", fmt.Errorf("not a signing key")
		}
		return s, "", nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		return k, "", err
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		return k, "", err
	default:
		return nil, "", fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
}

// assertion signs an RFC 7523 client authentication JWT: iss = sub = client id,
// aud = the token URL, exp ≤ 5 minutes, a unique jti; kid in the header.
func (sk signingKey) assertion(clientID, tokenURL string, now time.Time) (string, error) {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: sk.alg,
		Key:       jose.JSONWebKey{Key: sk.key, KeyID: sk.kid},
	}, opts)
	if err != nil {
		return "", fmt.Errorf("client assertion: %w", err)
	}
	claims := jwt.Claims{
		Issuer:   clientID,
		Subject:  clientID,
		Audience: jwt.Audience{tokenURL},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(assertionLifetime)),
		ID:       uuid.NewString(),
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}
