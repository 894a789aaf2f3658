package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/shcr-project/shcr/internal/logscrub"
	"github.com/shcr-project/shcr/record"
)

// HTTPError is a back end's answer with a status that is not 2xx. Reason is the one-line
// description of the body (an OperationOutcome's severity, code and diagnostics, "an HTML
// page", "an empty body"), never the raw body.
type HTTPError struct {
	Backend string
	Status  int
	Reason  string
	// Code is the coded error where the body gave one (GP Connect: PATIENT_NOT_FOUND, …).
	Code string
	// Issue is the FHIR issue type of the body's first error or fatal OperationOutcome
	// issue ("not-supported", "not-found", …), "" when there is none.
	Issue string
}

// httpStatus is the HTTP status behind err, or 0 when no HTTP answer caused it.
func httpStatus(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

func (e *HTTPError) Error() string {
	if e.Reason == "" {
		return serverText(fmt.Sprintf("back end %s answered %d", e.Backend, e.Status))
	}
	return serverText(fmt.Sprintf("back end %s answered %d with %s", e.Backend, e.Status, e.Reason))
}

// serverText makes an error message that may quote a server safe to show and log: one line
// with nothing a terminal acts on, and no token or other secret a server may echo
// (logscrub.ServerText). Every error type here passes its message through it.
func serverText(s string) string { return logscrub.ServerText(s) }

// Unauthorized reports a 401: the token was missing, expired or refused.
func (e *HTTPError) Unauthorized() bool { return e.Status == 401 }

// Forbidden reports a 403: signed in, but not allowed to see this.
func (e *HTTPError) Forbidden() bool { return e.Status == 403 }

// NotFound reports 404 or 410.
func (e *HTTPError) NotFound() bool { return e.Status == 404 || e.Status == 410 }

// Throttled reports 429 (after the retries ran out).
func (e *HTTPError) Throttled() bool { return e.Status == 429 }

// ServerError reports a 5xx.
func (e *HTTPError) ServerError() bool { return e.Status >= 500 }

// Is makes errors.Is(err, ErrSignInRequired) true for a 401.
func (e *HTTPError) Is(target error) bool {
	return target == ErrSignInRequired && e.Unauthorized()
}

// Error is any other failure talking to a back end: Reason is a verb phrase that follows the
// back end's name ("did not answer within 15s", "sent a response that was cut short").
type Error struct {
	Backend string
	Reason  string
	Err     error // the underlying cause, for errors.Is/As and the debug log
}

func (e *Error) Error() string { return serverText("back end " + e.Backend + " " + e.Reason) }
func (e *Error) Unwrap() error { return e.Err }

// NotQueriedError says a back end was deliberately not asked (it cannot answer this kind of
// search, or it needs a sign-in first).
type NotQueriedError struct {
	Backend string
	Reason  string
}

func (e *NotQueriedError) Error() string {
	return serverText("back end " + e.Backend + " was not asked: " + e.Reason)
}

// Sentinel causes carried in Error.Err.
var (
	ErrTooLarge      = errors.New("response too large")
	ErrCutShort      = errors.New("response cut short")
	ErrNextLinkLoop  = errors.New("next link loops")
	ErrTooManyHops   = errors.New("too many redirects")
	ErrMalformedFHIR = errors.New("malformed FHIR")
	// ErrNotSupported marks a 2xx answer whose only content is an OperationOutcome saying
	// not-supported: a refusal, like a 404 or 501.
	ErrNotSupported = errors.New("not supported")
	// ErrInternal marks a failure caused by a bug in shcr itself (a recovered panic), not by
	// the back end: that back end or section fails alone and the program carries on.
	ErrInternal = errors.New("internal error")
)

// tooLargeError is returned by the transport when a declared Content-Length exceeds the cap.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("response larger than %s", byteSize(e.limit))
}
func (e *tooLargeError) Unwrap() error { return ErrTooLarge }

var errRedirects = fmt.Errorf("stopped after %d redirects: %w", maxRedirects, ErrTooManyHops)

// byteSize writes a size for people: "64 MiB", "512 KiB", "100 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// describe turns a transport-level failure into an *Error with a one-line reason that never
// includes the request URL (it may carry an NHS number) or a raw body.
func describe(backend string, timeout time.Duration, limit int64, err error) error {
	if err == nil {
		return nil
	}
	var he *HTTPError
	var be *Error
	var nq *NotQueriedError
	if errors.As(err, &he) || errors.As(err, &be) || errors.As(err, &nq) {
		return err
	}
	mk := func(reason string) error { return &Error{Backend: backend, Reason: reason, Err: err} }
	var tl *tooLargeError
	var netErr net.Error
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, ErrSignInRequired):
		return &NotQueriedError{Backend: backend, Reason: "sign-in needed (" + strings.TrimSpace(unwrapURL(err).Error()) + ")"}
	case errors.Is(err, context.Canceled):
		return &Error{Backend: backend, Reason: "stopped: the request was cancelled", Err: context.Canceled}
	case errors.As(err, &tl):
		return mk("sent a response larger than " + byteSize(tl.limit) + ": cut off")
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		return &Error{Backend: backend, Reason: "sent a response larger than " + byteSize(limit) + ": cut off", Err: ErrTooLarge}
	case errors.Is(err, ErrTooManyHops):
		return mk(fmt.Sprintf("redirected more than %d times", maxRedirects))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Backend: backend, Reason: "sent a response that was cut short", Err: ErrCutShort}
	case errors.As(err, &unknownAuth), errors.As(err, &certInvalid):
		return mk("could not be trusted: its certificate is not signed by a known authority or is invalid")
	case errors.As(err, &hostErr):
		return mk("could not be trusted: its certificate is for another host")
	case errors.As(err, &recordErr):
		return mk("could not be reached securely: it did not answer with TLS")
	case strings.Contains(err.Error(), "remote error: tls:"):
		return mk("refused the secure connection (" + tlsAlert(err) + ")")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		if timeout > 0 {
			return &Error{Backend: backend, Reason: "did not answer within " + timeout.String(), Err: context.DeadlineExceeded}
		}
		return &Error{Backend: backend, Reason: "did not answer in time", Err: context.DeadlineExceeded}
	case errors.As(err, &dnsErr):
		return mk("could not be found (no such host " + dnsErr.Name + ")")
	case errors.Is(err, syscall.ECONNREFUSED):
		return mk("could not be reached (connection refused)")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		return mk("closed the connection before answering")
	case errors.As(err, &opErr):
		return mk("could not be reached (" + opErr.Op + " failed)")
	}
	return mk("could not be asked: " + firstLine(unwrapURL(err).Error()))
}

// tlsAlert extracts "bad certificate", "certificate required", … from a TLS alert error.
func tlsAlert(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "remote error: tls: "); i >= 0 {
		return "TLS alert: " + s[i+len("remote error: tls: "):]
	}
	return "TLS alert"
}

// unwrapURL drops *url.Error's "Get "https://…?identifier=…":" prefix: URLs may carry
// personal data and never go into messages or logs.
func unwrapURL(err error) error {
	var ue *url.Error
	for errors.As(err, &ue) {
		err = ue.Err
	}
	return err
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// requestTimeout is the per-request timeout to name in a timeout message, or 0 when it was
// the caller's overall deadline that ran out ("did not answer in time").
func requestTimeout(ctx context.Context, perRequest time.Duration) time.Duration {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return 0
	}
	return perRequest
}

// connDropped: the server refused with a TLS alert or dropped the connection before
// answering.
func connDropped(err error) bool {
	var opErr *net.OpError
	return strings.Contains(err.Error(), "remote error: tls:") || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.As(err, &opErr) && opErr.Op == "write"
}

// internalError describes a panic recovered while handling a back end's data. The panic's
// value is never shown or logged (it may hold record data); the stack goes to the debug log.
func internalError(log *slog.Logger, backend string, where string) error {
	log.Error("recovered from a panic: this is a bug in shcr", "backend", backend, "while", where, "stack", string(debug.Stack()))
	return &Error{Backend: backend, Reason: "was not read because of an internal error in shcr (a bug; the debug log has details)", Err: ErrInternal}
}

// refusal reports whether err is the server refusing what was asked (a resource type, or a
// search parameter): 400, 404, 405 or 501, or an OperationOutcome with issue code
// not-supported. why names it for the user: "404", "not-supported".
func refusal(err error) (why string, ok bool) {
	var he *HTTPError
	switch {
	case errors.As(err, &he) && (he.Status == 400 || he.Status == 404 || he.Status == 405 || he.Status == 501):
		return fmt.Sprint(he.Status), true
	case errors.As(err, &he) && he.Issue == "not-supported":
		return fmt.Sprintf("%d, not-supported", he.Status), true
	case errors.Is(err, ErrNotSupported):
		return "not-supported", true
	}
	return "", false
}

// timedOut reports a request that got no answer in time: the per-request timeout or the
// caller's deadline.
func timedOut(err error) bool { return errors.Is(err, context.DeadlineExceeded) }

// errorState is the section state an error leaves a section in: not-queried (sign-in
// needed), timed-out, or failed.
func errorState(err error) record.SectionState {
	var nq *NotQueriedError
	switch {
	case errors.As(err, &nq):
		return record.StateNotQueried
	case timedOut(err):
		return record.StateTimedOut
	}
	return record.StateFailed
}

// failedStatus is a section status for a section that err stopped.
func failedStatus(backend string, sec record.Section, err error) record.SectionStatus {
	return record.SectionStatus{Backend: backend, Section: sec, State: errorState(err), Error: err.Error(), HTTPStatus: httpStatus(err)}
}
