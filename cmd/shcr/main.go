// Command shcr is a keyboard-driven terminal viewer of the shared care record: it asks
// several FHIR back ends about a person at once and shows who said what.
//
//	shcr                       open the terminal interface
//	shcr demo                  the same, against embedded demo back ends
//	shcr get NHSNUMBER         print a record (text or JSON) without the interface
//
// Exit codes: 0 ok; 1 unexpected failure; 2 bad input or config; 3 no back end knows the
// person; 4 the person was found but a back end or a section failed; 5 a search by name
// (shcr get --family …) matched several people (they are listed).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/shcr-project/shcr/internal/memlimit"
)

func main() {
	// Memory: collect more often near 160 MB rather than double the live heap (GOMEMLIMIT
	// overrides it).
	memlimit.Soft(memlimit.Default, os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
