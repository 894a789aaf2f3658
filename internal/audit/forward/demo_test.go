package forward

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/demo"
)

// The embedded demo FHIR server takes the AuditEvents (POST AuditEvent) and keeps one copy of
// an event sent twice (conditional create on the id tag).
func TestFHIRSinkToDemoServer(t *testing.T) {
	servers, err := demo.Start(demo.Options{})
	must(t, err)
	defer servers.Close()
	b, _ := servers.Backend(demo.NameNHS)
	path := trailPath(t)
	appendEvents(t, path, 0, 6)
	clk := newClock()
	f, err := New(path, NewFHIR(b.URL, nil, nil), testOptions(clk))
	must(t, err)
	stop := run(t, f)
	waitDelivered(t, f, 6)
	stop()
	// Send everything again (as after a crash before the cursor was saved).
	must(t, os.Remove(CursorPath(path, f.Name())))
	again, err := New(path, NewFHIR(b.URL, nil, nil), testOptions(clk))
	must(t, err)
	run(t, again)
	waitDelivered(t, again, 6)

	resp, err := http.Get(b.URL + "/AuditEvent")
	must(t, err)
	defer resp.Body.Close()
	var bundle struct {
		Total int
		Entry []struct{ Resource audit.AuditEvent }
	}
	must(t, json.NewDecoder(resp.Body).Decode(&bundle))
	if bundle.Total != 6 {
		t.Fatalf("the demo holds %d AuditEvents, want 6 (copies dropped)", bundle.Total)
	}
	want := trailIDs(t, path)
	for i, e := range bundle.Entry {
		if e.Resource.Meta == nil || len(e.Resource.Meta.Tag) != 1 || e.Resource.Meta.Tag[0].Code != want[i] {
			t.Errorf("entry %d: meta %+v, want tag %s", i, e.Resource.Meta, want[i])
		}
	}
}

// waitDelivered waits (on the forwarder's own progress, not the clock) until it has delivered n.
func waitDelivered(t *testing.T, f *Forwarder, n int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	must(t, f.Flush(ctx))
	if st := f.State(); st.Delivered != n {
		t.Fatalf("delivered %d, want %d (%s)", st.Delivered, n, st.LastError)
	}
}
