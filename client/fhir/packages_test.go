package fhir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// published loads a published example kept in testdata/published (see the README there).
func publishedExample(t *testing.T, name string) Resource {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "published", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResource(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// TestWhatCountsAsACarePackage: a social care service is a care package whichever back end
// sends it; a clinical order (imaging, laboratory, procedure) never is, whichever back end
// sends it; a referral or a health service is a care package only when it comes from
// social care.
func TestWhatCountsAsACarePackage(t *testing.T) {
	interweave := func(t *testing.T) Resource {
		return example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json")
	}
	smoking := func(t *testing.T) Resource {
		return example(t, "ukcore/UKCore-EpisodeOfCare-SmokingCessationTherapy-Example.json")
	}
	ct := func(t *testing.T) Resource {
		return publishedExample(t, "UKCore-ServiceRequest-CTChestScan-Example.json")
	}
	colonoscopy := func(t *testing.T) Resource {
		return publishedExample(t, "UKCore-ServiceRequest-ColonoscopyRequest-Example.json")
	}
	inl := func(js string) func(t *testing.T) Resource {
		return func(t *testing.T) Resource { return inline(t, js) }
	}
	lab := inl(`{"resourceType":"ServiceRequest","id":"lab","status":"active","intent":"original-order",
		"category":[{"coding":[{"system":"http://snomed.info/sct","code":"108252007"}],"text":"Laboratory procedure (procedure)"}],
		"code":{"text":"Full blood count"},"subject":{"reference":"Patient/p1"}}`)
	imaging := inl(`{"resourceType":"ServiceRequest","id":"img","status":"active","intent":"order",
		"category":[{"coding":[{"system":"http://snomed.info/sct","code":"363679005","display":"Imaging"}]}],
		"code":{"coding":[{"system":"http://snomed.info/sct","code":"399208008","display":"Plain chest X-ray"}]}}`)
	referral := inl(`{"resourceType":"ServiceRequest","id":"ref","status":"active","intent":"order",
		"category":[{"coding":[{"system":"http://snomed.info/sct","code":"3457005","display":"Patient referral"}]}],
		"code":{"text":"Cardiology outpatients"}}`)
	homeCare := inl(`{"resourceType":"ServiceRequest","id":"hc","status":"active","intent":"order",
		"code":{"coding":[{"system":"https://fhir.example-council.gov.uk/CodeSystem/service-type","code":"HC01","display":"Domiciliary care"}]}}`)
	homeCareWords := inl(`{"resourceType":"EpisodeOfCare","id":"hc2","status":"active","type":[{"text":"Home care: 4 calls a day"}]}`)
	reablementAfterSurgery := inl(`{"resourceType":"ServiceRequest","id":"reab","status":"active","intent":"order",
		"code":{"coding":[{"system":"https://fhir.yhcr.nhs.uk/CodeSystem/Interweave-SocialCareServiceType-1","code":"R","display":"Reablement"}],"text":"Reablement after hip surgery"}}`)
	byCouncil := inl(`{"resourceType":"ServiceRequest","id":"c1","status":"active","intent":"order","code":{"text":"Visits at home"},
		"performer":[{"display":"Leeds City Council"}]}`)
	byAgency := inl(`{"resourceType":"EpisodeOfCare","id":"c2","status":"active","type":[{"text":"Support"}],
		"managingOrganization":{"reference":"Organization/o1"}}`)
	agency := inl(`{"resourceType":"Organization","id":"o1","name":"Brightside Reablement Team"}`)
	byTrust := inl(`{"resourceType":"ServiceRequest","id":"c3","status":"active","intent":"order","code":{"text":"Visits at home"},
		"performer":[{"display":"Leeds Teaching Hospitals NHS Trust"}]}`)
	equipment := inl(`{"resourceType":"EpisodeOfCare","id":"eq","status":"active",
		"type":[{"coding":[{"system":"https://fhir.interweavedigital.nhs.uk/CodeSystem/Interweave-SocialCareServiceType","code":"EQ","display":"Equipment"}]}]}`)

	tests := []struct {
		name     string
		res      func(t *testing.T) Resource
		src      Source
		category string // "" means listed in neither
	}{
		{"Interweave social care service on a health back end", interweave, healthSrc, record.PackageCare},
		{"Interweave social care service on a council back end", interweave, socialSrc, record.PackageCare},
		{"UK Core CT scan request on a health back end", ct, healthSrc, record.PackageOrder},
		{"UK Core CT scan request on a council back end", ct, socialSrc, record.PackageOrder},
		{"UK Core colonoscopy request on a council back end", colonoscopy, socialSrc, record.PackageOrder},
		{"laboratory category on a council back end", lab, socialSrc, record.PackageOrder},
		{"imaging category on a council back end", imaging, socialSrc, record.PackageOrder},
		{"patient referral on a health back end", referral, healthSrc, record.PackageOrder},
		{"council code system on a health back end", homeCare, healthSrc, record.PackageCare},
		{"home care in words on a health back end", homeCareWords, healthSrc, record.PackageCare},
		{"social care code beats a surgery word", reablementAfterSurgery, healthSrc, record.PackageCare},
		{"UK Core smoking cessation episode on a health back end", smoking, healthSrc, record.PackageOrder},
		{"UK Core smoking cessation episode on a council back end", smoking, socialSrc, record.PackageCare},
		{"Interweave equipment service", equipment, healthSrc, record.PackageEquipment},
		{"provided by a council, on a health back end", byCouncil, healthSrc, record.PackageCare},
		{"managed by a reablement team, on a health back end", byAgency, healthSrc, record.PackageCare},
		{"provided by an NHS trust, on a health back end", byTrust, healthSrc, record.PackageOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionCarePackages, nil, []Resource{withMode(tt.res(t), "match"), withMode(agency(t), "include")}, tt.src)
			if len(w) != 0 {
				t.Errorf("warnings %q", w)
			}
			var got []record.CarePackage
			switch tt.category {
			case record.PackageOrder:
				got = d.Referrals
				if len(d.CarePackages) != 0 {
					t.Fatalf("a clinical order or health service listed as a care package: %+v", d.CarePackages)
				}
			default:
				got = d.CarePackages
				if len(d.Referrals) != 0 {
					t.Fatalf("a care package listed as a referral: %+v", d.Referrals)
				}
			}
			if len(got) != 1 || got[0].PackageCategory != tt.category {
				t.Fatalf("got %+v, want one of category %q", got, tt.category)
			}
		})
	}
}

// TestUKCoreImagingOrderFields: a referral keeps what the care package view shows.
func TestUKCoreImagingOrderFields(t *testing.T) {
	all := append(ukcore(t), publishedExample(t, "UKCore-ServiceRequest-CTChestScan-Example.json"))
	d, _ := MapSection(record.SectionCarePackages, nil, matches(all, "ServiceRequest"), healthSrc)
	if len(d.CarePackages) != 0 || len(d.Referrals) != 1 {
		t.Fatalf("packages %+v referrals %+v", d.CarePackages, d.Referrals)
	}
	r := d.Referrals[0]
	if r.Kind != "ServiceRequest" || r.Type != "Computed tomography of chest" || r.Status != "active" || r.Provider != "Mrs Sandra Gose" ||
		!r.Period.Start.Equal(day("2024-04-12T09:38:00Z")) || r.Period.StartText != "2024-04-12T09:38:00+00:00" {
		t.Errorf("CT request = %+v", r)
	}
}

// TestEndedServicesAreFinished: a service whose period or status history says it ended in
// the past is finished, whatever its status says; the server's status is kept.
func TestEndedServicesAreFinished(t *testing.T) {
	future := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	tests := []struct {
		name, json     string
		status, report string
		history        int
	}{
		{"episode active, period ended last year",
			`{"resourceType":"EpisodeOfCare","id":"e1","status":"active","type":[{"text":"Home care"}],"period":{"start":"2024-04-01","end":"2025-06-30"}}`,
			"finished", "active", 0},
		{"episode active, history says finished",
			`{"resourceType":"EpisodeOfCare","id":"e2","status":"active","type":[{"text":"Home care"}],
			"statusHistory":[{"status":"planned","period":{"start":"2024-03-01","end":"2024-04-01"}},{"status":"active","period":{"start":"2024-04-01","end":"2025-07-01"}},{"status":"finished","period":{"start":"2025-07-01"}}]}`,
			"finished", "active", 3},
		{"episode active, its active spell ended",
			`{"resourceType":"EpisodeOfCare","id":"e3","status":"active","type":[{"text":"Home care"}],
			"statusHistory":[{"status":"planned","period":{"start":"2024-03-01","end":"2024-04-01"}},{"status":"active","period":{"start":"2024-04-01","end":"2025-07-01"}}]}`,
			"finished", "active", 2},
		{"episode active, history cancelled",
			`{"resourceType":"EpisodeOfCare","id":"e4","status":"waitlist","type":[{"text":"Respite"}],"statusHistory":[{"status":"cancelled","period":{"start":"2025-01-10"}}]}`,
			"cancelled", "waitlist", 1},
		{"episode active, ends in the future",
			`{"resourceType":"EpisodeOfCare","id":"e5","status":"active","type":[{"text":"Home care"}],"period":{"start":"2024-04-01","end":"` + future + `"}}`,
			"active", "", 0},
		{"episode onhold, open",
			`{"resourceType":"EpisodeOfCare","id":"e6","status":"onhold","type":[{"text":"Home care"}],"period":{"start":"2024-04-01"}}`,
			"onhold", "", 0},
		{"request active, occurrence ended",
			`{"resourceType":"ServiceRequest","id":"s1","status":"active","intent":"order","code":{"text":"Meals on wheels"},"occurrencePeriod":{"start":"2024-01-01","end":"2025-01-01"}}`,
			"completed", "active", 0},
		{"plan active, period ended",
			`{"resourceType":"CarePlan","id":"c1","status":"active","intent":"plan","title":"Care and support plan","period":{"start":"2023-01-01","end":"2024-01-01"}}`,
			"completed", "active", 0},
		{"cancelled stays cancelled",
			`{"resourceType":"EpisodeOfCare","id":"e7","status":"cancelled","type":[{"text":"Home care"}],"period":{"end":"2024-01-01"}}`,
			"cancelled", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionCarePackages, nil, []Resource{inline(t, tt.json)}, socialSrc)
			if len(w) != 0 || len(d.CarePackages) != 1 {
				t.Fatalf("packages %+v warnings %q", d.CarePackages, w)
			}
			cp := d.CarePackages[0]
			if cp.Status != tt.status || cp.ReportedStatus != tt.report || len(cp.StatusHistory) != tt.history {
				t.Errorf("status %q reported %q history %d, want %q %q %d", cp.Status, cp.ReportedStatus, len(cp.StatusHistory), tt.status, tt.report, tt.history)
			}
			// The discharge verdict counts active services in their period: an ended one never.
			if ended := tt.status != "active" && tt.status != "onhold"; ended && cp.Status == "active" {
				t.Errorf("an ended service reads as active: %+v", cp)
			}
		})
	}
	// The history keeps its periods, with the dates as written.
	d, _ := MapSection(record.SectionCarePackages, nil, []Resource{inline(t, tests[1].json)}, socialSrc)
	h := d.CarePackages[0].StatusHistory
	if h[1].Status != "active" || !h[1].Period.End.Equal(day("2025-07-01T00:00:00+01:00")) || h[1].Period.EndText != "2025-07-01" || h[2].Period.StartText != "2025-07-01" {
		t.Errorf("history = %+v", h)
	}
}

// TestInterweaveEpisodeHistory: the published Interweave service, finished, with its history.
func TestInterweaveEpisodeHistory(t *testing.T) {
	d, _ := MapSection(record.SectionCarePackages, nil, []Resource{example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json")}, healthSrc)
	if len(d.CarePackages) != 1 {
		t.Fatalf("Interweave social care service not a care package: packages %+v referrals %+v", d.CarePackages, d.Referrals)
	}
	cp := d.CarePackages[0]
	if cp.Status != "finished" || cp.ReportedStatus != "" || cp.PackageCategory != record.PackageCare || cp.Period.EndText != "2022-07-09T09:00:00Z" {
		t.Errorf("Interweave = %+v", cp)
	}
	want := []string{"planned", "active", "finished"}
	for i, h := range cp.StatusHistory {
		if h.Status != want[i] {
			t.Errorf("history[%d] = %+v", i, h)
		}
	}
	if len(cp.StatusHistory) != 3 || cp.StatusHistory[0].Period.StartText != "2022-06-08T09:00:00Z" || !cp.StatusHistory[2].Period.End.IsZero() {
		t.Errorf("history = %+v", cp.StatusHistory)
	}
}

// TestDeviceRequestIsEquipment: equipment provision is listed with care packages as equipment.
func TestDeviceRequestIsEquipment(t *testing.T) {
	d, w := MapSection(record.SectionCarePackages, nil, []Resource{publishedExample(t, "devicerequest-example-insulinpump.json")}, healthSrc)
	if len(w) != 0 || len(d.CarePackages) != 1 || len(d.Referrals) != 0 {
		t.Fatalf("packages %+v referrals %+v warnings %q", d.CarePackages, d.Referrals, w)
	}
	pump := d.CarePackages[0]
	if pump.Kind != "DeviceRequest" || pump.PackageCategory != record.PackageEquipment || pump.Type != "Insulin delivery device panel" ||
		pump.Status != "active" || pump.Provider != "Nurse Rossignol" || pump.Description != "this is the right device brand and model\ngastroparesis" {
		t.Errorf("insulin pump = %+v", pump)
	}
	if !pump.Period.Start.Equal(day("2013-05-08T09:33:27+07:00")) || pump.Period.StartText != "2013-05-08T09:33:27+07:00" ||
		!pump.Provenance.Recorded.Equal(day("2013-05-08T09:33:27+07:00")) || pump.Provenance.Author.Name != "Dr. Adam Careful" {
		t.Errorf("insulin pump dates and author = %+v", pump)
	}

	// Community equipment named by a Device (codeReference), the Device included.
	req := withMode(inline(t, `{"resourceType":"DeviceRequest","id":"dr1","status":"completed","intent":"order",
		"codeReference":{"reference":"Device/dev1"},"occurrencePeriod":{"start":"2026-01-05"},"authoredOn":"2026-01-02",
		"performerType":{"text":"Community equipment service"}}`), "match")
	dev := withMode(inline(t, `{"resourceType":"Device","id":"dev1","deviceName":[{"name":"KX-200","type":"model-name"},{"name":"Profiling bed","type":"user-friendly-name"}],
		"type":{"text":"Bed"}}`), "include")
	gone := withMode(inline(t, `{"resourceType":"DeviceRequest","id":"dr2","status":"entered-in-error","intent":"order","codeCodeableConcept":{"text":"Hoist"}}`), "match")
	d, w = MapSection(record.SectionCarePackages, nil, []Resource{req, dev, gone}, socialSrc)
	if len(w) != 0 || len(d.CarePackages) != 1 {
		t.Fatalf("packages %+v warnings %q", d.CarePackages, w)
	}
	if bed := d.CarePackages[0]; bed.Type != "Profiling bed" || bed.Status != "completed" || bed.Provider != "Community equipment service" || bed.Period.StartText != "2026-01-05" {
		t.Errorf("bed = %+v", bed)
	}

	var device *Query
	for _, q := range SectionQueries(record.SectionCarePackages) {
		if q.ResourceType == "DeviceRequest" {
			device = &q
		}
	}
	if device == nil || device.Values("p").Get("_include") != "DeviceRequest:device" {
		t.Errorf("DeviceRequest query = %+v", device)
	}
}
