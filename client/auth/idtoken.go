package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/shcr-project/shcr/internal/safetext"
)

// idTokenAlgs are the signature algorithms accepted on ID tokens (asymmetric only: shcr is a
// public client and holds no shared secret to check an HMAC with).
var idTokenAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// idClaims are the OpenID Connect claims shcr reads.
type idClaims struct {
	Nonce             string `json:"nonce"`
	Name              string `json:"name"`
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	Subject           string `json:"sub"`
}

func (c idClaims) identity(issuer string) Identity {
	name := c.Name
	if name == "" && (c.GivenName != "" || c.FamilyName != "") {
		name = joinNonEmpty(c.GivenName, c.FamilyName)
	}
	id := c.PreferredUsername
	if id == "" {
		id = c.Subject
	}
	// Name, id and email are shown (status bar, auth status) and written to the audit trail:
	// nothing in them may act on the terminal.
	return Identity{Name: safetext.Line(name), ID: safetext.Line(id), Subject: c.Subject, Email: safetext.Line(c.Email), Issuer: issuer}
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// verifyIDToken checks an ID token's signature against the issuer's JWKS and its iss, aud
// (must include clientID), exp, iat and (when nonce != "") nonce, per OpenID Connect Core
// §3.1.3.7. It returns the claims.
func verifyIDToken(ctx context.Context, hc *http.Client, ep Endpoints, clientID, nonce, raw string, now time.Time) (idClaims, error) {
	var claims idClaims
	tok, err := jwt.ParseSigned(raw, idTokenAlgs)
	if err != nil {
		return claims, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if ep.JWKS == "" {
		return claims, fmt.Errorf("%w: the provider publishes no jwks_uri to check it with", ErrIDToken)
	}
	keys, err := fetchJWKS(ctx, hc, ep.JWKS)
	if err != nil {
		return claims, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	var std jwt.Claims
	var verified bool
	var lastErr error
	for _, h := range tok.Headers {
		cands := keys.Key(h.KeyID)
		if h.KeyID == "" {
			cands = keys.Keys
		}
		for _, k := range cands {
			if k.Use != "" && k.Use != "sig" {
				continue
			}
			if err := tok.Claims(k.Key, &std, &claims); err != nil {
				lastErr = err
				continue
			}
			verified = true
			break
		}
	}
	if !verified {
		if lastErr == nil {
			lastErr = fmt.Errorf("no key in %s matches the token's key id", ep.JWKS)
		}
		return claims, fmt.Errorf("%w: signature: %v", ErrIDToken, lastErr)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{
		Issuer:      ep.Issuer,
		AnyAudience: jwt.Audience{clientID},
		Time:        now,
	}, time.Minute); err != nil {
		return claims, fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if ep.Issuer == "" {
		return claims, fmt.Errorf("%w: the provider's issuer is unknown", ErrIDToken)
	}
	if std.Expiry == nil {
		return claims, fmt.Errorf("%w: no expiry", ErrIDToken)
	}
	if nonce != "" && claims.Nonce != nonce {
		return claims, fmt.Errorf("%w: nonce does not match the sign-in request", ErrIDToken)
	}
	if claims.Subject == "" {
		return claims, fmt.Errorf("%w: no subject", ErrIDToken)
	}
	return claims, nil
}

func fetchJWKS(ctx context.Context, hc *http.Client, u string) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the provider's keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the provider's keys: HTTP %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscoveryBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("the provider's keys are not a JWK set: %v", err)
	}
	return &set, nil
}

// fetchUserinfo asks the userinfo endpoint about the signed-in user. The access token is
// only sent when the endpoint is on the host the token came from.
func fetchUserinfo(ctx context.Context, hc *http.Client, ep Endpoints, accessToken string) (idClaims, error) {
	var c idClaims
	if !sameHost(ep.Userinfo, ep.Token) {
		return c, fmt.Errorf("userinfo endpoint is on another host than the token endpoint; not sending the token there")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep.Userinfo, nil)
	if err != nil {
		return c, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return c, fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c, fmt.Errorf("userinfo: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscoveryBytes)).Decode(&c); err != nil {
		return c, fmt.Errorf("userinfo: not JSON: %v", err)
	}
	return c, nil
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ua.Scheme == ub.Scheme && ua.Host == ub.Host
}
