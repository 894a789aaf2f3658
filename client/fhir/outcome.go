package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/shcr-project/shcr/internal/logscrub"
)

// OperationOutcome is a FHIR OperationOutcome, as error bodies carry it.
type OperationOutcome struct {
	Issues []Issue
}

// Issue is one OperationOutcome issue.
type Issue struct {
	Severity    string // fatal | error | warning | information
	Code        string // FHIR issue type: not-found, invalid, security…
	Diagnostics string
	Details     string // details.text, else the first coding's display
	// SpineCode is a GP Connect / Spine error code from details.coding
	// (INVALID_NHS_NUMBER, PATIENT_NOT_FOUND…), "" when there is none.
	SpineCode string
}

type outcomeJSON struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string          `json:"severity"`
		Code        string          `json:"code"`
		Diagnostics string          `json:"diagnostics"`
		Details     CodeableConcept `json:"details"`
	} `json:"issue"`
}

// ParseOperationOutcome reads body as an OperationOutcome; ok is false when it is not one.
func ParseOperationOutcome(body []byte) (OperationOutcome, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return OperationOutcome{}, false
	}
	var oj outcomeJSON
	if err := json.Unmarshal(body, &oj); err != nil || oj.ResourceType != "OperationOutcome" {
		return OperationOutcome{}, false
	}
	var oo OperationOutcome
	for _, i := range oj.Issue {
		is := Issue{Severity: i.Severity, Code: i.Code, Diagnostics: strings.TrimSpace(i.Diagnostics), Details: strings.TrimSpace(i.Details.Text)}
		for _, c := range i.Details.Coding {
			if is.Details == "" && c.Display != "" {
				is.Details = c.Display
			}
			if is.SpineCode == "" && isSpineCode(c) {
				is.SpineCode = c.Code
			}
		}
		oo.Issues = append(oo.Issues, is)
	}
	return oo, true
}

func isSpineCode(c Coding) bool {
	if strings.Contains(c.System, "Spine-ErrorOrWarningCode") || strings.Contains(strings.ToLower(c.System), "spine-error") {
		return true
	}
	_, known := spineWords[c.Code]
	return known
}

// spineWords are the GP Connect / Spine error codes a user may meet, in plain words.
var spineWords = map[string]string{
	"INVALID_NHS_NUMBER":           "the NHS number is not valid",
	"PATIENT_NOT_FOUND":            "the patient is not registered at this GP practice",
	"INVALID_PATIENT_DEMOGRAPHICS": "the patient's details do not match the GP record",
	"NO_PATIENT_CONSENT":           "the patient has not consented to sharing their GP record",
	"NO_RELATIONSHIP":              "there is no legitimate relationship with this patient",
	"ACCESS_DENIED":                "access to this record was denied",
	"INVALID_IDENTIFIER_SYSTEM":    "the identifier system in the request was not accepted",
	"INVALID_IDENTIFIER_VALUE":     "the identifier value in the request was not accepted",
	"INVALID_PARAMETER":            "the request had a parameter the GP system did not accept",
	"INVALID_RESOURCE":             "the request was not valid for the GP system",
	"INVALID_REQUEST":              "the request was not valid for the GP system",
	"BAD_REQUEST":                  "the GP system could not read the request",
	"REFERENCE_NOT_FOUND":          "a referenced record was not found",
	"NOT_IMPLEMENTED":              "the GP system does not support this request",
	"INTERNAL_SERVER_ERROR":        "the GP system had an internal error",
	"DUPLICATE_REJECTED":           "the request duplicated an earlier one and was rejected",
	"ORGANISATION_NOT_FOUND":       "the organisation is not known",
	"PRACTITIONER_NOT_FOUND":       "the practitioner is not known",
	"INVALID_ODS_CODE":             "the organisation (ODS) code was not accepted",
	"PATIENT_SENSITIVE":            "the patient's record is sensitive and cannot be shared",
	"PATIENT_DECEASED":             "the patient is recorded as deceased",
}

// SpineWords returns the plain-words meaning of a GP Connect / Spine error code, "" if unknown.
func SpineWords(code string) string { return spineWords[code] }

// String is one line: "error (not-found): Patient/123 is not known (+2 more)".
func (oo OperationOutcome) String() string {
	if len(oo.Issues) == 0 {
		return "an OperationOutcome with no issues"
	}
	s := oo.Issues[0].String()
	if n := len(oo.Issues) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return s
}

// String is one issue in one line.
func (i Issue) String() string {
	sev := i.Severity
	if sev == "" {
		sev = "error"
	}
	head := sev
	if i.Code != "" {
		head += " (" + i.Code + ")"
	}
	text := i.Diagnostics
	if text == "" {
		text = i.Details
	}
	if w := spineWords[i.SpineCode]; w != "" {
		// GP Connect: the code in plain words first, then what the system said.
		msg := w + " [" + i.SpineCode + "]"
		if text != "" && !strings.EqualFold(text, i.SpineCode) {
			msg += ": " + text
		}
		text = msg
	} else if i.SpineCode != "" && !strings.Contains(text, i.SpineCode) {
		text = strings.TrimSpace(i.SpineCode + " " + text)
	}
	head = oneLine(ServerText(head), 80)
	if text == "" {
		return head
	}
	return head + ": " + oneLine(redactNHSNumbers(ServerText(text)), 300)
}

// ServerText makes text a server sent (diagnostics, details, a content type) safe to show
// and log: one line with nothing a terminal acts on, no secrets the server echoed.
func ServerText(s string) string { return logscrub.ServerText(s) }

// nhsNumberLike matches 10 digits, optionally spaced 3-3-4 as NHS numbers are written.
var nhsNumberLike = regexp.MustCompile(`\b\d{3}[ -]?\d{3}[ -]?\d{4}\b`)

// redactNHSNumbers hides NHS numbers that a server put in its diagnostics: the line is
// logged as well as shown, and logs carry no personal data.
func redactNHSNumbers(s string) string {
	return nhsNumberLike.ReplaceAllString(s, "[NHS number]")
}

// ReadError turns an error response body into one readable line, never a dump: an
// OperationOutcome is read out; an HTML page, an empty body or anything else is named by
// what it is. The caller adds "back end X answered 502 with …".
func ReadError(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "an empty body"
	}
	if oo, ok := ParseOperationOutcome(trimmed); ok {
		return oo.String()
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	lower := strings.ToLower(string(trimmed[:min(len(trimmed), 512)]))
	if mt == "text/html" || mt == "application/xhtml+xml" || strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") || strings.Contains(lower, "<html") {
		return "an HTML page"
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		if !json.Valid(trimmed) {
			return "malformed JSON"
		}
		var h resourceHead
		if unmarshal(trimmed, &h) == nil && h.ResourceType != "" {
			return "a FHIR " + oneLine(ServerText(h.ResourceType), 40) + " instead of an error"
		}
		return "a non-FHIR JSON body"
	}
	if trimmed[0] == '<' {
		return "an XML body"
	}
	if mt == "" {
		if !utf8.Valid(trimmed) {
			return "a non-FHIR body (binary data)"
		}
		mt = "no content type"
	}
	return "a non-FHIR body (" + oneLine(ServerText(mt), 60) + ")"
}

// oneLine collapses whitespace and cuts s to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
