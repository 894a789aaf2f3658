package client

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and a client certificate, written
// as PEM files the config names.
type testPKI struct {
	caFile, certFile, keyFile string
	serverCert                tls.Certificate
	pool                      *x509.CertPool
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shcr test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, key
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	keyPEM := func(k *ecdsa.PrivateKey) []byte {
		der, _ := x509.MarshalECPrivateKey(k)
		return pemOf("EC PRIVATE KEY", der)
	}
	srvDER, srvKey := issue(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)})
	cliDER, cliKey := issue(3, "shcr test client", x509.ExtKeyUsageClientAuth, nil)
	p := testPKI{caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "client.pem"), keyFile: filepath.Join(dir, "client.key")}
	for f, b := range map[string][]byte{p.caFile: pemOf("CERTIFICATE", caDER), p.certFile: pemOf("CERTIFICATE", cliDER), p.keyFile: keyPEM(cliKey)} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p.serverCert, err = tls.X509KeyPair(pemOf("CERTIFICATE", srvDER), keyPEM(srvKey))
	if err != nil {
		t.Fatal(err)
	}
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	return p
}

// gpRequest is what the GP Connect test server saw.
type gpRequest struct {
	header http.Header
	body   []byte
	path   string
}

// newGPServer is a loopback GP Connect provider demanding a client certificate signed by
// the test CA; it answers with the published allergies example Bundle.
func newGPServer(t *testing.T, pki testPKI, answer func(w http.ResponseWriter, body []byte)) (*httptest.Server, *[]gpRequest, *sync.Mutex) {
	t.Helper()
	var (
		mu   sync.Mutex
		seen []gpRequest
	)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, gpRequest{header: r.Header.Clone(), body: body, path: r.URL.Path})
		mu.Unlock()
		answer(w, body)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{pki.serverCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, &seen, &mu
}

func allergiesBundle(t *testing.T) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "allergies_response1.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var testUser = config.User{Name: "Dr Jane Carter", ID: "G13579135", Role: "R8000", Email: "jane.carter@example.org"}

func gpConfig(url string, pki testPKI, withCert bool) config.Backend {
	c := config.Backend{Name: "GP", Kind: config.KindGPConnect, URL: url + "/GP0001/STU3/1/gpconnect/structured/fhir", Domain: "health",
		GPConnect: config.GPConnect{FromASID: "200000000359", ToASID: "918999198738", FromODS: "A12345", OrgName: "Test County Council"},
		TLS:       config.TLS{CAFile: pki.caFile}}
	if withCert {
		c.TLS.CertFile, c.TLS.KeyFile = pki.certFile, pki.keyFile
	}
	return c
}

func decodeJWT(t *testing.T, auth string) (head, claims map[string]any, sig string) {
	t.Helper()
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		t.Fatalf("Authorization %q is not Bearer", auth)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT has %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&head, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
	}
	return head, claims, parts[2]
}

func TestGPConnectRequestHeadersJWTAndBody(t *testing.T) {
	pki := newTestPKI(t)
	ts, seen, mu := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) })
	now := time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC)
	cfg := gpConfig(ts.URL, pki, true)
	b, err := New(cfg, Options{User: testUser, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 10*time.Second)
	people, err := b.Search(ctx, record.Query{NHSNumber: "9999999999"})
	if err != nil || len(people) != 1 || people[0].NHSNumber != "9999999999" {
		t.Fatalf("search = %+v, %v", people, err)
	}
	var parts []record.Part
	b.Fetch(ctx, people[0].Sources[0], "9999999999", record.Sections(), func(p record.Part) { parts = append(parts, p) })
	if len(parts) != 1 {
		t.Fatalf("parts = %d", len(parts))
	}
	if n := len(parts[0].Sections.Allergies); n == 0 {
		t.Errorf("no allergies mapped: %+v", parts[0].Status)
	}
	if len(parts[0].Status) != len(record.Sections()) {
		t.Errorf("statuses = %+v, want one per section", parts[0].Status)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(*seen) != 2 {
		t.Fatalf("requests = %d, want 2", len(*seen))
	}
	traces := map[string]bool{}
	for _, r := range *seen {
		h := r.header
		if r.path != "/GP0001/STU3/1/gpconnect/structured/fhir/Patient/$gpc.getstructuredrecord" {
			t.Errorf("path = %s", r.path)
		}
		for k, want := range map[string]string{
			"Ssp-From": "200000000359", "Ssp-To": "918999198738",
			"Ssp-InteractionID": "urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1",
			"Accept":            "application/fhir+json", "Content-Type": "application/fhir+json",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if !strings.HasPrefix(h.Get("User-Agent"), "shcr/") {
			t.Errorf("User-Agent = %q", h.Get("User-Agent"))
		}
		trace := h.Get("Ssp-TraceID")
		if _, err := uuid.Parse(trace); err != nil || traces[trace] {
			t.Errorf("Ssp-TraceID %q is not a new UUID", trace)
		}
		traces[trace] = true

		head, c, sig := decodeJWT(t, h.Get("Authorization"))
		if head["alg"] != "none" || head["typ"] != "JWT" || sig != "" {
			t.Errorf("JWT header %v, signature %q", head, sig)
		}
		iat, exp := c["iat"].(float64), c["exp"].(float64)
		if int64(iat) != now.Unix() || exp-iat != 300 {
			t.Errorf("iat %v exp %v", iat, exp)
		}
		for k, want := range map[string]any{
			"iss": "https://github.com/shcr-project/shcr", "sub": "G13579135", "aud": cfg.URL,
			"reason_for_request": "directcare", "requested_scope": "patient/*.read",
		} {
			if c[k] != want {
				t.Errorf("claim %s = %v, want %v", k, c[k], want)
			}
		}
		dev := c["requesting_device"].(map[string]any)
		if dev["resourceType"] != "Device" || dev["model"] != "shcr" || dev["version"] == "" || dev["identifier"] == nil {
			t.Errorf("requesting_device = %v", dev)
		}
		org := c["requesting_organization"].(map[string]any)
		oid := org["identifier"].([]any)[0].(map[string]any)
		if org["resourceType"] != "Organization" || oid["system"] != "https://fhir.nhs.uk/Id/ods-organization-code" || oid["value"] != "A12345" || org["name"] != "Test County Council" {
			t.Errorf("requesting_organization = %v", org)
		}
		pr := c["requesting_practitioner"].(map[string]any)
		name := pr["name"].([]any)[0].(map[string]any)
		if pr["resourceType"] != "Practitioner" || pr["id"] != "G13579135" || name["family"] != "Carter" ||
			name["given"].([]any)[0] != "Jane" || name["prefix"].([]any)[0] != "Dr" {
			t.Errorf("requesting_practitioner = %v", pr)
		}
		if !bytes.Contains(r.body, []byte(`"9999999999"`)) {
			t.Errorf("body lacks the NHS number")
		}
	}

	// The Fetch body asks for every clinical area with the parameters the spec defines.
	var params struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name            string `json:"name"`
			ValueIdentifier struct{ System, Value string }
			Part            []map[string]any `json:"part"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal((*seen)[1].body, &params); err != nil {
		t.Fatal(err)
	}
	got := map[string][]map[string]any{}
	for _, p := range params.Parameter {
		got[p.Name] = p.Part
		if p.Name == "patientNHSNumber" && (p.ValueIdentifier.System != "https://fhir.nhs.uk/Id/nhs-number" || p.ValueIdentifier.Value != "9999999999") {
			t.Errorf("patientNHSNumber = %+v", p.ValueIdentifier)
		}
	}
	if params.ResourceType != "Parameters" || len(got) != 4 {
		t.Fatalf("Parameters = %s", (*seen)[1].body)
	}
	partValue := func(param, part string) any {
		for _, p := range got[param] {
			if p["name"] == part {
				for k, v := range p {
					if k != "name" {
						return v
					}
				}
			}
		}
		return nil
	}
	if v := partValue("includeAllergies", "includeResolvedAllergies"); v != true {
		t.Errorf("includeResolvedAllergies = %v", v)
	}
	if v := partValue("includeMedication", "medicationSearchFromDate"); v != "2025-03-12" {
		t.Errorf("medicationSearchFromDate = %v, want 12 months back", v)
	}
	if v := partValue("includeConsultations", "includeNumberOfMostRecent"); v != float64(3) {
		t.Errorf("includeNumberOfMostRecent = %v", v)
	}
	// The Search asked for the patient alone.
	if bytes.Contains((*seen)[0].body, []byte("include")) {
		t.Errorf("search body asks for clinical areas: %s", (*seen)[0].body)
	}
}

func TestGPConnectMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	ts, seen, mu := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) })
	q := record.Query{NHSNumber: "9999999999"}

	without, err := New(gpConfig(ts.URL, pki, false), Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	_, err = without.Search(ctxTimeout(t, 10*time.Second), q)
	if err == nil || err.Error() != "back end GP refused the secure connection: GP Connect needs a client certificate (set tls.cert_file and tls.key_file)" {
		t.Errorf("without a client certificate: %v", err)
	}
	mu.Lock()
	if len(*seen) != 0 {
		t.Errorf("the handler ran without a client certificate")
	}
	mu.Unlock()

	with, err := New(gpConfig(ts.URL, pki, true), Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	if people, err := with.Search(ctxTimeout(t, 10*time.Second), q); err != nil || len(people) != 1 {
		t.Errorf("with a client certificate: %v, %v", people, err)
	}

	// A server the CA does not vouch for is refused (verification stays on).
	noCA := gpConfig(ts.URL, pki, true)
	noCA.TLS.CAFile = ""
	b, err := New(noCA, Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Search(ctxTimeout(t, 10*time.Second), q); err == nil || !strings.Contains(err.Error(), "could not be trusted") {
		t.Errorf("unknown CA: %v", err)
	}

	// Unreadable certificate files are a clear config error.
	bad := gpConfig(ts.URL, pki, true)
	bad.TLS.KeyFile = filepath.Join(t.TempDir(), "missing.key")
	if _, err := New(bad, Options{User: testUser}); err == nil || !strings.Contains(err.Error(), "cannot load the client certificate") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing key file: %v", err)
	}
}

func TestGPConnectErrorsInPlainWords(t *testing.T) {
	pki := newTestPKI(t)
	spine := func(status int, code, display string) func(w http.ResponseWriter, _ []byte) {
		return func(w http.ResponseWriter, _ []byte) {
			b, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
				"severity": "error", "code": "not-found",
				"details": map[string]any{"coding": []any{map[string]any{
					"system": "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1", "code": code, "display": display}}},
			}}})
			writeFHIR(w, status, b)
		}
	}
	notFound, _, _ := newGPServer(t, pki, spine(404, "PATIENT_NOT_FOUND", "Patient not found"))
	invalid, _, _ := newGPServer(t, pki, spine(400, "INVALID_NHS_NUMBER", "Invalid NHS number"))

	fed, err := NewFederation([]config.Backend{
		func() config.Backend { c := gpConfig(notFound.URL, pki, true); c.Name = "GP one"; return c }(),
		func() config.Backend { c := gpConfig(invalid.URL, pki, true); c.Name = "GP two"; return c }(),
	}, Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	_, sts := fed.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9999999999"})
	if st := statusOf(sts, "GP one"); st.Status != record.BackendNotKnown {
		t.Errorf("PATIENT_NOT_FOUND: %s %q, want not-known", st.Status, st.Error)
	}
	want := "back end GP two answered 400 with error (not-found): the NHS number is not valid [INVALID_NHS_NUMBER]: Invalid NHS number"
	if st := statusOf(sts, "GP two"); st.Status != record.BackendFailed || st.Error != want {
		t.Errorf("INVALID_NHS_NUMBER: %s\n  got  %q\n  want %q", st.Status, st.Error, want)
	}

	_, sts = fed.Search(ctxTimeout(t, 10*time.Second), record.Query{Family: "Smith", BirthDate: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)})
	if st := statusOf(sts, "GP one"); st.Status != record.BackendNotQueried || st.Error != "back end GP one was not asked: it searches by NHS number only" {
		t.Errorf("demographic search: %s %q", st.Status, st.Error)
	}

	// A Bundle without the Patient is malformed, said in one line.
	empty, _, _ := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) {
		writeFHIR(w, 200, []byte(`{"resourceType":"Bundle","type":"collection","entry":[]}`))
	})
	eb, err := New(gpConfig(empty.URL, pki, true), Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eb.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9999999999"})
	if err == nil || err.Error() != "back end GP sent a malformed structured record: the GP Connect response has no Patient" {
		t.Errorf("no Patient: %v", err)
	}

	// No user known: GP Connect is not called at all.
	var calls []gpRequest
	ts, seen, mu := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) })
	b, err := New(gpConfig(ts.URL, pki, true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: "9999999999"})
	if err == nil || err.Error() != "back end GP cannot be asked: GP Connect needs the signed-in member of staff's name: sign in or set user: in config" {
		t.Errorf("no user: %v", err)
	}
	mu.Lock()
	calls = *seen
	mu.Unlock()
	if len(calls) != 0 {
		t.Errorf("GP Connect was called without a user")
	}
}

// TestGPConnectDemo asks the embedded demo GP Connect back end, as `shcr demo` does.
func TestGPConnectDemo(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	fed, err := NewFederation(srv.Config(), Options{User: testUser})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			continue
		}
		rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), p.NHSNumber, record.Sections())
		if !found {
			continue
		}
		st := statusOf(rec.Backends, demo.NameGP)
		if st.Status == record.BackendNotKnown {
			continue
		}
		if st.Status != record.BackendOK {
			t.Fatalf("demo GP: %s %q", st.Status, st.Error)
		}
		gp := 0
		for _, s := range rec.SectionStatus {
			if s.Backend == demo.NameGP && s.State == record.StateReturned {
				gp += s.Count
			}
		}
		if gp == 0 {
			t.Fatalf("the demo GP returned no items: %+v", rec.SectionStatus)
		}
		return
	}
	t.Fatal("no demo person is known to the demo GP back end")
}

// TestGPConnectNamesWhoeverIsSignedInNow: a sign-in inside the TUI changes the member of
// staff after the federation was built; each request names the one signed in at that moment.
func TestGPConnectNamesWhoeverIsSignedInNow(t *testing.T) {
	pki := newTestPKI(t)
	ts, seen, mu := newGPServer(t, pki, func(w http.ResponseWriter, _ []byte) { writeFHIR(w, 200, allergiesBundle(t)) })
	var cmu sync.Mutex
	current := config.User{Name: "Dr Jane Carter", ID: "G13579135"}
	b, err := New(gpConfig(ts.URL, pki, true), Options{
		User: config.User{Name: "Configured Fallback", ID: "CFG1"},
		CurrentUser: func() config.User {
			cmu.Lock()
			defer cmu.Unlock()
			return current
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 10*time.Second)
	if _, err := b.Search(ctx, record.Query{NHSNumber: "9999999999"}); err != nil {
		t.Fatal(err)
	}
	cmu.Lock()
	current = config.User{Name: "Sam Okafor", ID: "G24680246"}
	cmu.Unlock()
	if _, err := b.Search(ctx, record.Query{NHSNumber: "9999999999"}); err != nil {
		t.Fatal(err)
	}
	cmu.Lock()
	current = config.User{} // signed out: GP Connect must not be called with nobody named
	cmu.Unlock()
	if _, err := b.Search(ctx, record.Query{NHSNumber: "9999999999"}); !errors.Is(err, ErrNoUser) {
		t.Fatalf("signed out: err = %v, want ErrNoUser", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(*seen) != 2 {
		t.Fatalf("requests = %d, want 2 (none after sign-out)", len(*seen))
	}
	for i, want := range []string{"G13579135", "G24680246"} {
		_, c, _ := decodeJWT(t, (*seen)[i].header.Get("Authorization"))
		if c["sub"] != want {
			t.Errorf("request %d names %v, want %s", i, c["sub"], want)
		}
	}
}
