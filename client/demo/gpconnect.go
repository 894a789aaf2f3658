package demo

import "net/http"

func newGPHandler(base string, ds *dataset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeOutcome(w, http.StatusNotImplemented, "not-supported", "not yet")
	})
}
