package oidctest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/client/auth"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/oidctest"
)

// The guard lets through only tokens the provider issued: none, a made-up one and then a
// real one from a device sign-in approved through the provider's storage.
func TestGuardAcceptsOnlyTheProvidersTokens(t *testing.T) {
	op := oidctest.Start(t)
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.URL.Path+" auth="+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/fhir+json")
		w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":0}`))
	}))
	defer up.Close()
	g := op.RequireToken(t, up.URL+"/fhir/R4")

	get := func(tok string) int {
		req, _ := http.NewRequest(http.MethodGet, g.URL+"/Patient?identifier=x", nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get(""); c != http.StatusUnauthorized {
		t.Fatalf("no token: %d", c)
	}
	if c := get("made-up"); c != http.StatusUnauthorized {
		t.Fatalf("made-up token: %d", c)
	}

	b := op.DeviceBackend("council", g.URL, "social-care", "SECRET")
	m := auth.NewManager(config.Config{Backends: []config.Backend{b}}, config.NewMemoryKeyring(), auth.Options{
		After:  oidctest.NoWait,
		Getenv: func(k string) string { return map[string]string{"SECRET": oidctest.DeviceSecret}[k] },
		Prompt: func(p auth.Prompt) {
			if err := op.Approve(p.UserCode); err != nil {
				t.Error(err)
			}
		},
	})
	id, err := m.Login(context.Background(), "council")
	if err != nil {
		t.Fatal(err)
	}
	if id.Name != oidctest.UserName || id.ID != op.Username() {
		t.Fatalf("identity = %+v", id)
	}
	tok, err := m.TokenSource("council").Token()
	if err != nil {
		t.Fatal(err)
	}
	if c := get(tok.AccessToken); c != http.StatusOK {
		t.Fatalf("real token: %d", c)
	}
	// Refused: no token, the made-up one, and shcr's SMART discovery (it then used the
	// issuer's OpenID discovery).
	if refused, passed := g.Counts(); refused != 3 || passed != 1 {
		t.Fatalf("counts = %d refused, %d passed", refused, passed)
	}
	if len(got) != 1 || got[0] != "/fhir/R4/Patient auth=" {
		t.Fatalf("upstream saw %q (the token must not be passed on)", got)
	}
}

// A FHIR server whose SMART configuration names a foreign token endpoint gets no secret sent
// there; the provider's own token endpoint, named by the same kind of server, is used.
func TestHostileSMARTGetsNoSecret(t *testing.T) {
	op := oidctest.Start(t)
	foreign := oidctest.StartForeign(t)
	env := func(k string) string {
		if k == "SHCR_SVC_SECRET" {
			return oidctest.ServiceSecret
		}
		return ""
	}
	b := op.ServiceBackend("svc", op.HostileSMART(t, foreign.URL+"/token"), config.DomainHealth, "SHCR_SVC_SECRET")
	m := auth.NewManager(config.Config{Backends: []config.Backend{b}}, nil, auth.Options{Getenv: env})
	_, err := m.TokenSource("svc").Token()
	if err == nil || !strings.Contains(err.Error(), "names token endpoint "+foreign.Host) {
		t.Fatalf("err = %v", err)
	}
	if got := foreign.Requests(); len(got) != 0 {
		t.Fatalf("the foreign endpoint received %v", got)
	}

	b = op.ServiceBackend("svc", op.HostileSMART(t, op.Endpoint("token_endpoint")), config.DomainHealth, "SHCR_SVC_SECRET")
	m = auth.NewManager(config.Config{Backends: []config.Backend{b}}, nil, auth.Options{Getenv: env})
	if tok, err := m.TokenSource("svc").Token(); err != nil || tok.AccessToken == "" {
		t.Fatalf("the provider's own token endpoint: %v", err)
	}
}
