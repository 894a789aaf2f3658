// Command bigserver runs the demo back ends with a large record of any size, for
// bench/run.sh: like `shcr demo --serve`, it prints one line per back end (name, kind, base
// URL, tab separated) and serves until interrupted. -sets starts several sets of the three
// back ends (names numbered), so that shcr's memory with fifty back ends can be measured in
// its own process, apart from the servers'.
//
//	go run ./bench/bigserver -encounters 50000 -page 1000
//	go run ./bench/bigserver -encounters 5200 -page 0 -sets 17 -latency 100ms
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
	sets := flag.Int("sets", 1, "sets of the three demo back ends to start")
	latency := flag.Duration("latency", 0, "added to every response")
	flag.Parse()
	for i := range *sets {
		s, err := demo.Start(demo.Options{LargeEncounters: *encounters, PageSize: *page, Latency: *latency})
		if err != nil {
			fmt.Fprintln(os.Stderr, "bigserver:", err)
			os.Exit(1)
		}
		defer s.Close()
		for _, b := range s.Backends {
			name := b.Name
			if *sets > 1 {
				name = fmt.Sprintf("%s %02d", b.Name, i)
			}
			fmt.Printf("%s\t%s\t%s\n", name, b.Kind, b.URL)
		}
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
}
