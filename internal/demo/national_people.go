package demo

// The demo people of the national services: who the demographics service (PDS) and the
// record locator (NRL) say something special about. Everyone else with an NHS number in
// data/people.json is held by the demo PDS as a plain, verified, registered patient.

// National demo cases, by NHS number.
const (
	// NHSSuperseded is an old NHS number the demo PDS has replaced by Doris Fenwick's.
	NHSSuperseded   = "9990000026"
	NHSReplacedBy   = "9994560018"
	NHSRestricted   = "9996780007" // Winifred Oakes: restricted (R) demographics
	NHSWithPointers = "9991230009" // Edith Marchbank: pointers to a configured and an unconfigured record
	NHSDeceased     = "9997890000" // Cyril Thornbury: death formally registered
)

// Demo ODS codes.
const (
	odsDemoPractice  = "DMG01" // Kettlewick Surgery: every demo person's registered practice
	odsDemoHospital  = "DMH01" // Wexbridge General Hospital: its records are in Demo NHS ShCR
	odsDemoNorthShCR = "DMN01" // Northshire Shared Care Record: not configured in the demo
	// DemoUserOrganisation is the demo user's organisation (user.organisation).
	DemoUserOrganisation = gpFromODS
)

// demoPointer is one NRL pointer the demo locator holds.
type demoPointer struct {
	id, custodian, custodianName, typeCode, typeDisplay, catCode, catDisplay, date, url, contentType, mechanism string
}

// demoPointers are the demo locator's pointers by NHS number. The first pointer's URL is
// filled in at start with the running Demo NHS ShCR's base.
func demoPointers(nhsBase string) map[string][]demoPointer {
	return map[string][]demoPointer{
		NHSWithPointers: {
			{id: odsDemoHospital + "-887181000000106-1", custodian: odsDemoHospital, custodianName: "Wexbridge General Hospital NHS Trust",
				typeCode: "887181000000106", typeDisplay: "Clinical summary", catCode: "716931000000107", catDisplay: "Record headings",
				date: "2026-10-02T10:15:00+00:00", url: nhsBase + "/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|" + NHSWithPointers,
				contentType: "application/fhir+json", mechanism: "Direct"},
			{id: odsDemoNorthShCR + "-2181441000000107-7", custodian: odsDemoNorthShCR, custodianName: "Northshire Shared Care Record",
				typeCode: "2181441000000107", typeDisplay: "Personalised Care and Support Plan", catCode: "734163000", catDisplay: "Care plan",
				date: "2025-03-18T14:00:00+00:00", url: "ssp://spine-proxy.national.ncrs.nhs.uk/https%3A%2F%2Fshcr.northshire.example.nhs.uk%2Fplans%2F7",
				contentType: "application/pdf", mechanism: "SSP"},
		},
	}
}
