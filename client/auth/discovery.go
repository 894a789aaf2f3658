package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/shcr-project/shcr/config"
)

// Endpoints are a back end's sign-in server addresses, from discovery and config.
type Endpoints struct {
	Issuer              string
	Authorization       string
	Token               string
	DeviceAuthorization string
	JWKS                string
	Userinfo            string
	Revocation          string
	// SMART is true when the FHIR server published /.well-known/smart-configuration.
	SMART bool
	// CodeChallengeMethods the server says it supports ("" list when it does not say).
	CodeChallengeMethods []string
	// Source says where they came from, for messages: "smart-configuration",
	// "openid-configuration", "config".
	Source string

	// Where Token, Authorization and DeviceAuthorization came from (srcSMART, srcIssuer,
	// srcConfig), and the endpoints the configured issuer's own metadata lists: what
	// vetEndpoints needs to decide whether credentials may go there.
	tokenSource, authSource, deviceSource string
	issuerToken, issuerAuth, issuerDevice string
}

// discoveryDoc holds the fields shcr reads from both SMART and OpenID discovery documents.
type discoveryDoc struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	DeviceEndpoint        string   `json:"device_authorization_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
}

const maxDiscoveryBytes = 1 << 20

// errNotOffered marks a discovery document that is absent or refused (404, 401, 403, 410).
var errNotOffered = errors.New("not offered")

// fetchDoc GETs a discovery document.
func fetchDoc(ctx context.Context, hc *http.Client, u string) (discoveryDoc, error) {
	var d discoveryDoc
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return d, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBytes+1))
	if err != nil {
		return d, fmt.Errorf("reading %s: %w", u, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusUnauthorized, http.StatusForbidden, http.StatusGone:
		return d, fmt.Errorf("%s: HTTP %d: %w", u, resp.StatusCode, errNotOffered)
	default:
		return d, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	if len(body) > maxDiscoveryBytes {
		return d, fmt.Errorf("%s: discovery document larger than 1 MiB", u)
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "text/html" {
		return d, fmt.Errorf("%s: got a web page, not a discovery document", u)
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return d, fmt.Errorf("%s: not a JSON discovery document: %v", u, err)
	}
	return d, nil
}

func wellKnown(base, name string) string {
	return strings.TrimSuffix(base, "/") + "/.well-known/" + name
}

// sameIssuer compares issuers, tolerating one trailing slash.
func sameIssuer(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// Discover finds a back end's sign-in endpoints: the FHIR server's
// /.well-known/smart-configuration first (SMART App Launch 2.x); when that is absent or
// refused, the issuer's /.well-known/openid-configuration. Explicit token_url,
// authorize_url and device_url in config override what discovery says. A SMART document
// without jwks_uri or userinfo is completed from the issuer's OpenID document when there
// is one. The result is checked against the rules in guard.go (where credentials and tokens
// may go) before it is returned: a refusal wraps ErrUntrustedEndpoint.
func Discover(ctx context.Context, hc *http.Client, b config.Backend) (Endpoints, error) {
	a := b.Auth
	var ep Endpoints
	var problems []string

	if b.URL != "" {
		if err := checkTransport(b.Name, "FHIR base URL", b.URL); err != nil {
			return ep, err
		}
		d, err := fetchDoc(ctx, hc, wellKnown(b.URL, "smart-configuration"))
		if err == nil {
			ep = fromDoc(d)
			ep.SMART = true
			ep.Source = "smart-configuration"
			ep.tokenSource, ep.authSource, ep.deviceSource = srcSMART, srcSMART, srcSMART
		} else {
			problems = append(problems, "SMART configuration: "+err.Error())
		}
	}

	issuer := a.Issuer
	if issuer == "" {
		issuer = ep.Issuer
	}
	// The configured issuer's metadata is also needed to check a token endpoint the SMART
	// configuration names on another origin before credentials go there.
	foreign := func(u string) bool { return u != "" && !sameOrigin(u, a.Issuer) }
	needOIDC := !ep.SMART || ep.JWKS == "" || ep.Userinfo == "" ||
		(a.Issuer != "" && (foreign(ep.Token) || foreign(ep.Authorization) || foreign(ep.DeviceAuthorization)))
	if issuer != "" && needOIDC {
		src := srcIssuer
		if a.Issuer == "" {
			src = srcSMART // an issuer the FHIR server named, not one configured
		}
		d, err := fetchDoc(ctx, hc, wellKnown(issuer, "openid-configuration"))
		switch {
		case err != nil:
			problems = append(problems, "OpenID configuration: "+err.Error())
		case d.Issuer != "" && !sameIssuer(d.Issuer, issuer):
			// OpenID Connect Discovery 1.0 §4.3: the issuer must match, or the document is
			// not to be used.
			problems = append(problems, fmt.Sprintf("OpenID configuration at %s names issuer %s", issuer, d.Issuer))
		default:
			o := fromDoc(d)
			if src == srcIssuer {
				ep.issuerToken, ep.issuerAuth, ep.issuerDevice = o.Token, o.Authorization, o.DeviceAuthorization
			}
			if !ep.SMART {
				keep := ep
				ep = o
				ep.Source = "openid-configuration"
				ep.tokenSource, ep.authSource, ep.deviceSource = src, src, src
				ep.issuerToken, ep.issuerAuth, ep.issuerDevice = keep.issuerToken, keep.issuerAuth, keep.issuerDevice
			} else {
				fillEmpty(&ep.Issuer, o.Issuer)
				fillEmpty(&ep.JWKS, o.JWKS)
				fillEmpty(&ep.Userinfo, o.Userinfo)
				if ep.DeviceAuthorization == "" && o.DeviceAuthorization != "" {
					ep.DeviceAuthorization, ep.deviceSource = o.DeviceAuthorization, src
				}
				fillEmpty(&ep.Revocation, o.Revocation)
			}
		}
	}
	if ep.Issuer == "" {
		ep.Issuer = a.Issuer
	}

	// Explicit config wins.
	if a.TokenURL != "" {
		ep.tokenSource = srcConfig
	}
	if a.DeviceURL != "" {
		ep.deviceSource = srcConfig
	}
	if a.AuthorizeURL != "" {
		ep.authSource = srcConfig
	}
	override(&ep.Token, a.TokenURL, &ep.Source)
	override(&ep.Authorization, a.AuthorizeURL, &ep.Source)
	override(&ep.DeviceAuthorization, a.DeviceURL, &ep.Source)

	var missing []string
	if ep.Token == "" {
		missing = append(missing, "token endpoint (token_url)")
	}
	switch a.Type {
	case config.AuthPKCE:
		if ep.Authorization == "" {
			missing = append(missing, "authorization endpoint (authorize_url)")
		}
	case config.AuthDevice:
		if ep.DeviceAuthorization == "" {
			missing = append(missing, "device authorization endpoint (device_url)")
		}
	}
	if len(missing) > 0 {
		why := "no discovery document was found"
		if len(problems) > 0 {
			why = strings.Join(problems, "; ")
		}
		if issuer == "" && !ep.SMART {
			why += "; set issuer (or the endpoint URLs) in the auth block"
		}
		return ep, fmt.Errorf("back end %s: cannot find the %s: %s: %w", b.Name, strings.Join(missing, ", "), why, ErrConfig)
	}
	if err := vetEndpoints(b, ep); err != nil {
		return ep, err
	}
	return ep, nil
}

func fromDoc(d discoveryDoc) Endpoints {
	return Endpoints{
		Issuer:               d.Issuer,
		Authorization:        d.AuthorizationEndpoint,
		Token:                d.TokenEndpoint,
		DeviceAuthorization:  d.DeviceEndpoint,
		JWKS:                 d.JWKSURI,
		Userinfo:             d.UserinfoEndpoint,
		Revocation:           d.RevocationEndpoint,
		CodeChallengeMethods: d.CodeChallengeMethods,
	}
}

func fillEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func override(dst *string, v string, source *string) {
	if v == "" {
		return
	}
	*dst = v
	if *source == "" {
		*source = "config"
	}
}
