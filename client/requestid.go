package client

import (
	"context"

	"github.com/google/uuid"
)

// headerRequestID carries the request id to R4 back ends: one id for every request of one
// record open (or search), so that a back end's logs and the audit event of the open can be
// matched (IHE BALP records it as the transaction entity of the AuditEvent).
const headerRequestID = "X-Request-ID"

type requestIDKey struct{}

// NewRequestID is a new request id: a random (version 4) UUID.
func NewRequestID() string { return uuid.NewString() }

// WithRequestID is ctx carrying id: every back end request made with it sends id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ensureRequestID is ctx with a request id (its own, else a new one) and that id.
func ensureRequestID(ctx context.Context) (context.Context, string) {
	if id := RequestID(ctx); id != "" {
		return ctx, id
	}
	id := NewRequestID()
	return WithRequestID(ctx, id), id
}
