package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/views/vocab"
)

// TestStartupNoticeShownOnce: the warning cmd/shcr passes in (central audit not started) is
// in the status bar when the interface opens, in either vocabulary's words, carries no
// personal data, and once cleared does not come back.
func TestStartupNoticeShownOnce(t *testing.T) {
	fed, cfg := startDemo(t)
	why := "syslog siem.example.org:6514: open /etc/shcr/siem-ca.pem: no such file or directory"
	for _, v := range []vocab.Vocabulary{vocab.Health(), vocab.SocialCare()} {
		t.Run(v.Name, func(t *testing.T) {
			if !strings.Contains(v.AuditNotForwarded, "%s") {
				t.Fatalf("AuditNotForwarded has no place for the sinks: %q", v.AuditNotForwarded)
			}
			notice := fmt.Sprintf(v.AuditNotForwarded, why)
			d := newDriver(t, Options{Federation: fed, Config: cfg, Vocabulary: v, Plain: true, StartupNotice: notice}, 200, 40)
			lines := strings.Split(ansi.Strip(d.m.View()), "\n")
			bar := lines[len(lines)-1]
			if !strings.Contains(bar, "central audit service") || !strings.Contains(bar, "siem.example.org:6514") {
				t.Fatalf("status bar at start = %q, want the notice %q", bar, notice)
			}
			if regexp.MustCompile(`\d{3} ?\d{3} ?\d{4}`).MatchString(bar) {
				t.Errorf("status bar holds an NHS number: %q", bar)
			}
			for _, p := range demo.People() {
				if p.Family != "" && strings.Contains(bar, p.Family) {
					t.Errorf("status bar names %s: %q", p.Family, bar)
				}
			}
			// The status bar's timer clears it; it is not shown again.
			d.send(clearFlashMsg{d.m.flashID})
			d.keys("tab")
			if v := ansi.Strip(d.m.View()); strings.Contains(v, "central audit service") {
				t.Errorf("notice shown again after it was cleared:\n%s", v)
			}
		})
	}
	// No notice, nothing shown.
	d := newDriver(t, Options{Federation: fed, Config: cfg, Plain: true}, 200, 40)
	if d.m.flash != "" {
		t.Errorf("flash at start without a notice = %q", d.m.flash)
	}
}
