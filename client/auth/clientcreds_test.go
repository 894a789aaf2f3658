package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
)

// backendServices is a SMART Backend Services server: its FHIR base publishes the sample
// backend-services smart-configuration, and its token endpoint verifies the client
// assertion with go-jose against the registered public key, as a real server does, then
// answers with the sample token response.
type backendServices struct {
	srv      *httptest.Server
	fhirURL  string
	tokenURL string
	pub      crypto.PublicKey
	clientID string
	kid      string

	mu      sync.Mutex
	jtis    map[string]bool
	algs    []string
	claims  []jwt.Claims
	headers []jose.Header
	forms   []map[string][]string
	refuse  string // when set, the OAuth error to answer with
}

func startBackendServices(t *testing.T, pub crypto.PublicKey, clientID, kid string) *backendServices {
	t.Helper()
	bs := &backendServices{pub: pub, clientID: clientID, kid: kid, jtis: map[string]bool{}}
	discovery, err := os.ReadFile("testdata/backend-services-smart-configuration.json")
	if err != nil {
		t.Fatal(err)
	}
	tokenResp, err := os.ReadFile("testdata/backend-services-token-response.json")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/fhir/.well-known/smart-configuration", func(w http.ResponseWriter, r *http.Request) {
		var doc map[string]any
		_ = json.Unmarshal(discovery, &doc)
		doc["token_endpoint"] = bs.tokenURL
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("/auth/token", func(w http.ResponseWriter, r *http.Request) {
		fail := func(code, desc string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
		}
		if err := r.ParseForm(); err != nil {
			fail("invalid_request", err.Error())
			return
		}
		bs.mu.Lock()
		defer bs.mu.Unlock()
		bs.forms = append(bs.forms, r.PostForm)
		if bs.refuse != "" {
			fail(bs.refuse, "client is not registered for system/*.rs")
			return
		}
		if r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_assertion_type") != ClientAssertionType {
			fail("invalid_request", "grant_type or client_assertion_type")
			return
		}
		if _, _, ok := r.BasicAuth(); ok {
			fail("invalid_request", "two authentication methods")
			return
		}
		tok, err := jwt.ParseSigned(r.PostForm.Get("client_assertion"),
			[]jose.SignatureAlgorithm{jose.RS384, jose.ES384, jose.RS512})
		if err != nil {
			fail("invalid_client", "assertion: "+err.Error())
			return
		}
		var c jwt.Claims
		if err := tok.Claims(bs.pub, &c); err != nil {
			fail("invalid_client", "signature: "+err.Error())
			return
		}
		if err := c.Validate(jwt.Expected{Issuer: bs.clientID, Subject: bs.clientID, AnyAudience: jwt.Audience{bs.tokenURL}, Time: time.Now()}); err != nil {
			fail("invalid_client", "claims: "+err.Error())
			return
		}
		if c.Expiry == nil || c.Expiry.Time().After(time.Now().Add(5*time.Minute)) {
			fail("invalid_client", "exp more than five minutes ahead")
			return
		}
		if c.ID == "" || bs.jtis[c.ID] {
			fail("invalid_client", "jti missing or replayed")
			return
		}
		bs.jtis[c.ID] = true
		h := tok.Headers[0]
		if h.KeyID != bs.kid {
			fail("invalid_client", "unknown kid")
			return
		}
		bs.algs = append(bs.algs, h.Algorithm)
		bs.claims = append(bs.claims, c)
		bs.headers = append(bs.headers, h)
		w.Header().Set("Content-Type", "application/json")
		w.Write(tokenResp)
	})
	bs.srv = httptest.NewServer(mux)
	t.Cleanup(bs.srv.Close)
	bs.fhirURL = bs.srv.URL + "/fhir"
	bs.tokenURL = bs.srv.URL + "/auth/token"
	return bs
}

func writeKey(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "desk-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestClientCredentialsPrivateKeyJWT(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, alg, want string
		key             crypto.Signer
	}{
		{"RSA default RS384", "", "RS384", rsaKey},
		{"RSA RS512 where the platform asks", "RS512", "RS512", rsaKey},
		{"EC ES384", "", "ES384", ecKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bs := startBackendServices(t, tc.key.Public(), "dispatch-desk", "desk-1")
			// The issuer is configured: credentials go only to its token endpoint (here on
			// the same origin as the one the SMART configuration names).
			b := config.Backend{Name: "dispatch", URL: bs.fhirURL, Auth: config.Auth{
				Type: config.AuthClientCredentials, ClientID: "dispatch-desk", Issuer: bs.srv.URL,
				Scopes: []string{"system/*.rs"}, KeyFile: writeKey(t, tc.key), KeyID: "desk-1", Alg: tc.alg,
			}}
			var logs syncBuffer
			m := NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), Options{
				Logger: slogJSON(&logs),
			})
			id, err := m.Login(bg(), "dispatch")
			if err != nil {
				t.Fatal(err)
			}
			if !id.System || id.ID != "dispatch-desk" {
				t.Fatalf("identity = %+v", id)
			}
			tok, err := m.TokenSource("dispatch").Token()
			if err != nil || !strings.HasPrefix(tok.AccessToken, "eyJhbGciOiJIUzI1NiIs") || tok.Type() != "Bearer" {
				t.Fatalf("token: %v", err)
			}
			bs.mu.Lock()
			defer bs.mu.Unlock()
			if len(bs.algs) != 1 || bs.algs[0] != tc.want {
				t.Fatalf("algs seen by the server = %v, want %s", bs.algs, tc.want)
			}
			c := bs.claims[0]
			if c.IssuedAt == nil || c.Expiry.Time().Sub(c.IssuedAt.Time()) > 5*time.Minute {
				t.Fatalf("exp - iat > 5 min: %+v", c)
			}
			if typ, _ := bs.headers[0].ExtraHeaders["typ"].(string); typ != "JWT" {
				t.Errorf("typ header = %q", typ)
			}
			if bs.forms[0]["scope"][0] != "system/*.rs" {
				t.Errorf("scope = %v", bs.forms[0]["scope"])
			}
			if strings.Contains(logs.String(), tok.AccessToken[:20]) {
				t.Fatal("token logged")
			}
		})
	}
}

func TestClientCredentialsFreshAssertionEachTime(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	bs := startBackendServices(t, key.Public(), "desk", "k")
	b := config.Backend{Name: "d", Auth: config.Auth{
		Type: config.AuthClientCredentials, ClientID: "desk", TokenURL: bs.tokenURL,
		KeyFile: writeKey(t, key), KeyID: "k",
	}}
	for i := range 2 { // two processes: two requests, two distinct jti (replay is refused)
		m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
		if _, err := m.TokenSource("d").Token(); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if len(bs.jtis) != 2 {
		t.Fatalf("jtis = %v", bs.jtis)
	}
}

func TestClientCredentialsRefusedAndWrongKey(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	bs := startBackendServices(t, key.Public(), "desk", "k")
	b := config.Backend{Name: "d", URL: bs.fhirURL, Auth: config.Auth{
		Type: config.AuthClientCredentials, ClientID: "desk", Issuer: bs.srv.URL, KeyFile: writeKey(t, other), KeyID: "k",
	}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
	_, err := m.TokenSource("d").Token()
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("wrong key: %v", err)
	}

	bs.mu.Lock()
	bs.refuse = "unauthorized_client"
	bs.mu.Unlock()
	b.Auth.KeyFile = writeKey(t, key)
	m = NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{})
	_, err = m.TokenSource("d").Token()
	if err == nil || !strings.Contains(err.Error(), "unauthorized_client") || !strings.Contains(err.Error(), "system/*.rs") {
		t.Fatalf("refused: %v", err)
	}
}

func TestClientCredentialsSecretAgainstProvider(t *testing.T) {
	// The example OpenID provider's service user, with a client secret.
	op := startOP(t)
	b := config.Backend{Name: "svc", Auth: config.Auth{
		Type: config.AuthClientCredentials, Issuer: op.issuer, ClientID: "sid1",
		ClientSecretEnv: "SHCR_SVC_SECRET", Scopes: []string{"openid"},
	}}
	m := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("SHCR_SVC_SECRET", "verysecret")})
	tok, err := m.TokenSource("svc").Token()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("client credentials: %v", err)
	}
	wrong := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv("SHCR_SVC_SECRET", "guess")})
	if _, err := wrong.TokenSource("svc").Token(); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("wrong secret: %v", err)
	}
	unset := NewManager(config.Config{Backends: []config.Backend{b}}, nil, Options{Getenv: testEnv()})
	if _, err := unset.TokenSource("svc").Token(); !errors.Is(err, client.ErrSignInRequired) {
		t.Fatalf("unset secret: %v", err)
	}
}

func TestSigningKeyChecks(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	cases := []struct {
		name string
		key  crypto.Signer
		alg  string
		ok   bool
	}{
		{"rsa RS384", rsaKey, "RS384", true},
		{"rsa ES384", rsaKey, "ES384", false},
		{"rsa 1024", small, "", false},
		{"ec P-256", p256, "", false},
		{"ec P-384 RS384", p384, "RS384", false},
		{"ec P-384", p384, "ES384", true},
	}
	for _, tc := range cases {
		_, err := loadSigningKey(writeKey(t, tc.key), tc.alg, "k")
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	// A JWK private key file works too and supplies its kid.
	jwk := jose.JSONWebKey{Key: p384, KeyID: "from-jwk", Algorithm: "ES384"}
	raw, _ := json.Marshal(jwk)
	path := filepath.Join(t.TempDir(), "k.jwk")
	_ = os.WriteFile(path, raw, 0o600)
	sk, err := loadSigningKey(path, "", "")
	if err != nil || sk.kid != "from-jwk" || sk.alg != jose.ES384 {
		t.Fatalf("JWK: %+v, %v", sk, err)
	}
	pub, _ := json.Marshal(jose.JSONWebKey{Key: p384.Public(), KeyID: "x"})
	_ = os.WriteFile(path, pub, 0o600)
	if _, err := loadSigningKey(path, "", ""); err == nil || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("public JWK: %v", err)
	}
	if _, err := loadSigningKey(filepath.Join(t.TempDir(), "missing.pem"), "", ""); err == nil {
		t.Fatal("missing file accepted")
	}
}
