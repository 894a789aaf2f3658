// Command bigserver runs the demo back ends with a large record of any size, for
// bench/run.sh: like `shcr demo --serve`, it prints one line per back end (name, kind, base
// URL, tab separated) and serves until interrupted.
//
//	go run ./bench/bigserver -encounters 50000 -page 1000
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/shcr-project/shcr/internal/demo"
)

func main() {
	encounters := flag.Int("encounters", 50000, "encounters in the large record (the demo's has 5,200)")
	page := flag.Int("page", 1000, "entries in every search page, whatever _count asks (0: as asked, at most 500)")
	flag.Parse()
	s, err := demo.Start(demo.Options{LargeEncounters: *encounters, PageSize: *page})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigserver:", err)
		os.Exit(1)
	}
	defer s.Close()
	for _, b := range s.Backends {
		fmt.Printf("%s\t%s\t%s\n", b.Name, b.Kind, b.URL)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
