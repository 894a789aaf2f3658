package demo

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDemoAcceptsAuditEvents(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, _ := s.Backend(NameNHS)
	post := func(body, ctype, ifNone string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, b.URL+"/AuditEvent", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if ifNone != "" {
			req.Header.Set("If-None-Exist", ifNone)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	ae := `{"resourceType":"AuditEvent","id":"shcr-1","meta":{"tag":[{"system":"urn:x","code":"shcr-1"}]},"type":{"code":"rest"}}`
	if r := post(ae, "application/fhir+json", "_tag=urn:x|shcr-1"); r.StatusCode != http.StatusCreated || !strings.HasPrefix(r.Header.Get("Location"), b.URL+"/AuditEvent/ae-") {
		t.Errorf("first POST: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := post(ae, "application/fhir+json", "_tag=urn:x|shcr-1"); r.StatusCode != http.StatusOK {
		t.Errorf("the copy: %d, want 200 (kept once)", r.StatusCode)
	}
	if r := post(`{"resourceType":"Patient"}`, "application/fhir+json", ""); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a Patient: %d", r.StatusCode)
	}
	if r := post(ae, "text/plain", ""); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", r.StatusCode)
	}
	if r := post(`{}`, "application/fhir+json", ""); r.StatusCode != http.StatusBadRequest {
		t.Errorf("{}: %d", r.StatusCode)
	}
	// Other resources stay read-only.
	if r := post(`{"resourceType":"Patient"}`, "application/fhir+json", ""); r.StatusCode == http.StatusCreated {
		t.Error("created a Patient")
	}
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/Patient", strings.NewReader(`{}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST Patient: %d", resp.StatusCode)
	}
	resp, err = http.Get(b.URL + "/AuditEvent?_tag=urn:x|shcr-1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var bundle struct {
		Total int
		Entry []struct{ Resource struct{ ID string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&bundle); err != nil {
		t.Fatal(err)
	}
	if bundle.Total != 1 || len(bundle.Entry) != 1 || !strings.HasPrefix(bundle.Entry[0].Resource.ID, "ae-") {
		t.Errorf("search: %+v", bundle)
	}
}
