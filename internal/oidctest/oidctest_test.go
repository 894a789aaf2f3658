package oidctest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
