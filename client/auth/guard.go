package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/shcr-project/shcr/config"
)

// Where secrets may go. The rules, checked before any request is made:
//
//  1. No secret or token goes over plain http:// except to this computer (127.0.0.0/8, ::1,
//     localhost): token, device authorization, authorization and userinfo endpoints and the
//     FHIR base URL are refused otherwise.
//  2. A client secret or a signed client assertion (a confidential client: client_secret_env,
//     or key_file for client-credentials) goes only to the token endpoint of the configured
//     issuer: token_url from the config, the token endpoint in the configured issuer's own
//     /.well-known/openid-configuration, or a token endpoint a FHIR server's SMART
//     configuration names when it is on the issuer's origin or is the one the issuer's own
//     metadata lists.
//  3. With neither issuer nor token_url configured, a confidential client is refused: a
//     FHIR server's SMART configuration alone is not trusted with credentials. Public clients
//     (pkce and device without a secret) may still use the endpoints it names; they send no
//     client credentials, only a one-time code bound to PKCE. With an issuer configured, a
//     public client's token, authorization and device endpoints must belong to it too (the
//     same test as in 2): the user's password and the code go nowhere else.
//  4. Token requests follow no redirect to another origin (a 307 would re-send the secret).

// ErrUntrustedEndpoint: shcr refused to send credentials or tokens to an address (one that
// does not belong to the configured issuer, or plain http to another computer).
var ErrUntrustedEndpoint = errors.New("not sending credentials")

// untrustedError is a refusal to send credentials; its message is one line. It matches
// ErrUntrustedEndpoint and ErrConfig (the fix is in the config: issuer, token_url, https).
type untrustedError struct{ msg string }

func (e *untrustedError) Error() string   { return e.msg }
func (e *untrustedError) Unwrap() []error { return []error{ErrUntrustedEndpoint, ErrConfig} }

func untrusted(format string, args ...any) error {
	return &untrustedError{msg: fmt.Sprintf(format, args...)}
}

// loopbackHost reports whether host (no port) is this computer: 127.0.0.0/8, ::1, localhost.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTransport refuses a URL that would carry a secret or token in the clear: anything but
// https://, except http:// to loopback. what names the address for the message.
func checkTransport(backend, what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return untrusted("back end %s: the %s %q is not a URL: not sending credentials", backend, what, oneLine(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if loopbackHost(u.Hostname()) {
			return nil
		}
		return untrusted("back end %s: the %s %s is plain http:// to another computer (%s): shcr sends secrets and tokens over http only to this computer (127.0.0.1, ::1, localhost); use https://",
			backend, what, redactURL(u), u.Host)
	default:
		return untrusted("back end %s: the %s %s is not an https:// address: not sending credentials", backend, what, redactURL(u))
	}
}

// redactURL shows a URL without its query, fragment or user info (they may hold secrets).
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment, c.ForceQuery = nil, "", "", false
	return oneLine(c.String())
}

// origin is scheme://host[:port] in lower case, with the default port dropped.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host
}

// sameOrigin compares two URLs' origins (scheme, host and port).
func sameOrigin(a, b string) bool {
	oa := origin(a)
	return oa != "" && oa == origin(b)
}

// sameEndpoint compares two endpoint URLs, tolerating one trailing slash.
func sameEndpoint(a, b string) bool {
	return a != "" && b != "" && sameOrigin(a, b) && strings.TrimSuffix(pathOf(a), "/") == strings.TrimSuffix(pathOf(b), "/")
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.EscapedPath()
}

// hostOf names a URL's host (with its port) for messages.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return oneLine(raw)
	}
	return oneLine(u.Host)
}

// confidential reports whether the back end's sign-in sends a client secret or a signed
// client assertion.
func confidential(a config.Auth) bool {
	if a.ClientSecretEnv != "" {
		return true
	}
	return a.Type == config.AuthClientCredentials
}

// vetEndpoints applies the rules above to discovered (or configured) endpoints before any
// of them is used.
func vetEndpoints(b config.Backend, ep Endpoints) error {
	a := b.Auth
	checks := []struct{ what, url string }{{"token endpoint", ep.Token}}
	switch a.Type {
	case config.AuthDevice:
		checks = append(checks, struct{ what, url string }{"device authorization endpoint", ep.DeviceAuthorization})
	case config.AuthPKCE:
		checks = append(checks, struct{ what, url string }{"authorization endpoint", ep.Authorization})
	}
	if ep.Userinfo != "" {
		checks = append(checks, struct{ what, url string }{"userinfo endpoint", ep.Userinfo})
	}
	for _, c := range checks {
		if c.url == "" {
			continue
		}
		if err := checkTransport(b.Name, c.what, c.url); err != nil {
			return err
		}
	}
	// A secret or assertion goes only to the configured issuer's token endpoint. With an
	// issuer configured, the endpoints of a public client's sign-in (where the user types
	// their password, where the code goes) must belong to it as well.
	if confidential(a) || a.Issuer != "" {
		if err := trustedForCredentials(b, "token endpoint", ep.Token, a.TokenURL, ep.issuerToken, ep.tokenSource); err != nil {
			return err
		}
	}
	if a.Issuer == "" {
		return nil
	}
	switch a.Type {
	case config.AuthPKCE:
		return trustedForCredentials(b, "authorization endpoint", ep.Authorization, a.AuthorizeURL, ep.issuerAuth, ep.authSource)
	case config.AuthDevice:
		return trustedForCredentials(b, "device authorization endpoint", ep.DeviceAuthorization, a.DeviceURL, ep.issuerDevice, ep.deviceSource)
	}
	return nil
}

// trustedForCredentials decides whether endpoint may receive the client's credentials.
// configured is the URL from the config (token_url or device_url), listed the one in the
// configured issuer's own metadata, source where endpoint came from.
func trustedForCredentials(b config.Backend, what, endpoint, configured, listed, source string) error {
	issuer := b.Auth.Issuer
	switch {
	case endpoint == "":
		return nil
	case configured != "" && endpoint == configured:
		return nil // named in the config by whoever set shcr up
	case issuer == "":
		return untrusted("back end %s: the %s %s was named by the FHIR server's SMART configuration and no issuer is configured to check it against: set issuer (or token_url) in the auth block; not sending credentials",
			b.Name, what, hostOf(endpoint))
	case sameOrigin(endpoint, issuer), sameEndpoint(endpoint, listed):
		return nil
	case source == srcIssuer:
		return nil // from the configured issuer's own discovery document
	}
	by := "the FHIR server's SMART configuration"
	if source != srcSMART {
		by = "discovery"
	}
	return untrusted("back end %s: %s names %s %s, which is not the configured issuer %s: not sending credentials",
		b.Name, by, what, hostOf(endpoint), hostOf(issuer))
}

// Where an endpoint came from.
const (
	srcSMART  = "smart"
	srcIssuer = "issuer"
	srcConfig = "config"
)

// guardedClient is hc for token requests: it follows no redirect to another origin or from
// https to http (a 307 or 308 would re-send the secret or the code), and refuses plain http
// to another computer before dialling.
func guardedClient(hc *http.Client) *http.Client {
	c := *hc
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(req.URL.String(), via[0].URL.String()) {
			return untrusted("the sign-in server redirected a token request to %s: not following it (it would carry the credentials)", oneLine(req.URL.Host))
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = clearGuard{next: rt}
	return &c
}

// clearGuard refuses plain-http requests to another computer before they are dialled.
type clearGuard struct{ next http.RoundTripper }

func (g clearGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.EqualFold(req.URL.Scheme, "http") && !loopbackHost(req.URL.Hostname()) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, untrusted("refusing plain http:// to %s: shcr sends secrets and tokens over http only to this computer", oneLine(req.URL.Host))
	}
	return g.next.RoundTrip(req)
}
