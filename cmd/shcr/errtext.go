package main

import "github.com/shcr-project/shcr/internal/logscrub"

// errText is the message of an error shcr is about to print on stderr as it exits. Errors
// may quote a server (a discovery document's issuer, a sign-in server's error) or a file; the
// message keeps its lines but loses anything a terminal would act on, and any credential a
// server echoed. Back end errors are already made safe where they are built (client); this
// is the last line of defence for every other path.
func errText(err error) string {
	return logscrub.ServerTextMulti(err.Error())
}
