package fhir

import (
	"strings"
	"time"

	"github.com/shcr-project/shcr/record"
)

// What counts as a care package.
//
// A care package is a social care service: an EpisodeOfCare, CarePlan or ServiceRequest
// that is social care
//   - by its codes: a code system of a social care record (Interweave's SocialCareService
//     type and category, a council's own code system) or an Interweave social care profile
//     or extension; or words in its type, category or code that name a social care service
//     ("home care", "reablement", "respite", "care home", "direct payment"…);
//   - by the organisation that manages or provides it: a council, or a provider named for a
//     social care service ("Brightside Reablement Team", "Acme Home Care Ltd");
//   - else by who it comes from: the item's provenance domain (its organisation, else the
//     back end's configured domain).
//
// A ServiceRequest categorised or coded as a clinical order is never a care package,
// whatever back end sends it: category imaging (363679005), laboratory procedure
// (108252007), surgical, diagnostic procedure; a LOINC code; an HL7 v2 diagnostic service
// section. Nor is one whose words say it is a scan, test or procedure ("Computed tomography
// of chest", "Colonoscopy", "12 lead ECG"), unless its codes say social care. A referral
// (3457005 Patient referral, an outpatient referral) is an order in a health context: it is
// a care package only when its codes or its provenance say social care.
//
// Anything else that is not social care (a health EpisodeOfCare such as smoking cessation
// therapy, a weight management CarePlan from a health record) is listed with referrals and
// orders, never as a care package.

// SNOMED CT concepts that categorise a ServiceRequest as a clinical order.
var orderCategoryCodes = map[string]bool{
	"363679005": true, // Imaging (procedure)
	"108252007": true, // Laboratory procedure (procedure)
	"387713003": true, // Surgical procedure (procedure)
	"103693007": true, // Diagnostic procedure (procedure)
	"71388002":  true, // Procedure (procedure)
}

// orderWords name a clinical test, scan or procedure.
var orderWords = []string{
	"imaging", "radiology", "radiography", "radiograph", "x-ray", "xray", "x ray", "tomography", "ct scan",
	"mri", "magnetic resonance", "ultrasound", "ultrasonography", "mammography", "scan", "echocardiogram",
	"ecg", "electrocardiogram", "electrocardiography", "laboratory", "pathology", "haematology", "hematology",
	"biochemistry", "microbiology", "blood test", "blood count", "lipid", "urinalysis", "specimen", "biopsy",
	"endoscopy", "colonoscopy", "gastroscopy", "cystoscopy", "bronchoscopy", "surgical", "surgery",
	"-ectomy", "-otomy", "-oscopy", "-graphy",
}

// socialWords name a social care service (and the things the Interweave service types list).
var socialWords = []string{
	"social care", "social work", "social services", "care package", "package of care", "care and support",
	"support plan", "home care", "homecare", "home support", "domiciliary", "reablement", "re-ablement",
	"intermediate care", "respite", "sitting service", "day centre", "day center", "day care", "day support",
	"day opportunities", "care home", "residential care", "nursing home", "nursing care home", "supported living",
	"extra care", "shared lives", "live-in care", "personal care", "meals on wheels", "meals", "direct payment",
	"personal budget", "telecare", "community alarm", "lifeline", "carer support", "carers support", "carer's support",
	"befriending", "short term support", "long term support",
}

// socialSystemWords mark a code system, profile or extension of a social care record.
var socialSystemWords = []string{"socialcare", "social-care", "social_care", "adultsocialcare", "carepackage", "careandsupport", ".gov.uk"}

// hasWords reports whether text holds any of words as whole words. A word starting with
// "-" is a suffix of a word ("-ectomy").
func hasWholeWords(text string, words []string) bool {
	l := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '\'')
	}), " ") + " "
	for _, w := range words {
		if suffix, ok := strings.CutPrefix(w, "-"); ok {
			if strings.Contains(l, suffix+" ") {
				return true
			}
			continue
		}
		if strings.Contains(l, " "+w+" ") {
			return true
		}
	}
	return false
}

// conceptTexts is every text and display of the concepts, one per line.
func conceptWordsOf(cs []CodeableConcept) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Text + "\n")
		for _, cd := range c.Coding {
			b.WriteString(cd.Display + "\n")
		}
	}
	return b.String()
}

// socialByCodes: a social care code system, profile or extension, or words naming a
// social care service.
func (s packageSignals) socialByCodes() bool {
	for _, u := range s.urls {
		if containsAnyOf(strings.ToLower(u), socialSystemWords) {
			return true
		}
	}
	for _, c := range s.concepts {
		for _, cd := range c.Coding {
			if containsAnyOf(strings.ToLower(cd.System), socialSystemWords) {
				return true
			}
		}
	}
	return hasWholeWords(conceptWordsOf(s.concepts), socialWords)
}

// codedOrder: categorised or coded as a clinical order (a SNOMED CT order category, LOINC,
// an HL7 v2 diagnostic service section).
func (s packageSignals) codedOrder() bool {
	for _, c := range s.concepts {
		for _, cd := range c.Coding {
			sys := strings.ToLower(cd.System)
			switch {
			case strings.Contains(sys, "snomed") && orderCategoryCodes[cd.Code]:
				return true
			case strings.Contains(sys, "loinc"):
				return true
			case strings.Contains(sys, "v2-0074"), strings.Contains(sys, "diagnosticservicesection"):
				return true
			}
		}
	}
	return false
}

// orderByWords: its type, category or code names a test, scan or procedure.
func (s packageSignals) orderByWords() bool {
	return hasWholeWords(conceptWordsOf(s.concepts), orderWords)
}

func containsAnyOf(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// socialProviderWords, in the name of the organisation that manages or provides a service,
// say it is a social care provider: a council, or a provider named for a social care service.
var socialProviderWords = append([]string{"council", "borough", "local authority", "social services"}, socialWords...)

// packageCategory decides what a mapped service is: record.PackageCare or
// record.PackageOrder (DeviceRequest is record.PackageEquipment, decided by its mapping).
// provider is the organisation that manages or provides it, as mapped.
func packageCategory(r Resource, it record.Item, provider string) string {
	s := probePackage(r.Raw)
	order := r.Type == "ServiceRequest" || r.Type == "ProcedureRequest"
	switch {
	case order && s.codedOrder():
		return record.PackageOrder
	case s.socialByCodes():
		return record.PackageCare
	case order && s.orderByWords():
		return record.PackageOrder
	case hasWholeWords(provider, socialProviderWords):
		return record.PackageCare
	}
	if it.Provenance.Domain == record.DomainSocialCare {
		return record.PackageCare
	}
	return record.PackageOrder
}

// careCategory is a care package's category: equipment when its codes say so (Interweave
// service type EQ "Equipment", "community equipment"), else a care package.
func careCategory(r Resource) string {
	s := probePackage(r.Raw)
	for _, c := range s.concepts {
		for _, cd := range c.Coding {
			if cd.Code == "EQ" && strings.Contains(strings.ToLower(cd.System), "socialcareservicetype") {
				return record.PackageEquipment
			}
		}
	}
	if hasWholeWords(conceptWordsOf(s.concepts), []string{"equipment", "community equipment", "equipment provision", "aids and adaptations"}) {
		return record.PackageEquipment
	}
	return record.PackageCare
}

// Statuses after which a service is over.
var terminalStatus = map[string]bool{
	"finished": true, "completed": true, "cancelled": true, "revoked": true, "stopped": true,
	"ended": true, "entered-in-error": true, "inactive": true,
}

// settleStatus reads a service's status as shcr shows it: a service whose period ended, or
// whose status history says it ended (its latest entry finished or cancelled, or that
// entry's own period over), in the past is over, whatever its status says. Status becomes
// done (finished for an EpisodeOfCare, completed for a request or plan) and the server's
// status is kept in ReportedStatus.
func settleStatus(cp *record.CarePackage, now time.Time, done string) {
	st := strings.ToLower(strings.TrimSpace(cp.Status))
	if terminalStatus[st] {
		return
	}
	ended := cp.Period.Ended(now)
	if last, ok := latestStatus(cp.StatusHistory); ok && !ended {
		lst := strings.ToLower(strings.TrimSpace(last.Status))
		switch {
		case terminalStatus[lst] && (last.Period.Start.IsZero() || !now.Before(last.Period.Start)):
			ended, done = true, firstNonEmpty(lst, done)
			if lst == "entered-in-error" || lst == "inactive" {
				done = "finished"
			}
		case lst == st && last.Period.Ended(now):
			ended = true
		}
	}
	if ended {
		cp.ReportedStatus, cp.Status = cp.Status, done
	}
}

// latestStatus is the status history entry that starts last (on a tie, or without starts,
// the one listed last).
func latestStatus(h []record.StatusPeriod) (record.StatusPeriod, bool) {
	if len(h) == 0 {
		return record.StatusPeriod{}, false
	}
	best := len(h) - 1
	for i, e := range h {
		if e.Period.Start.After(h[best].Period.Start) || (i > best && !e.Period.Start.Before(h[best].Period.Start)) {
			best = i
		}
	}
	return h[best], true
}
