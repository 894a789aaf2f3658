package auth

import (
	"errors"
	"os/exec"
	"runtime"
	"strings"
)

// OpenBrowser opens u with $BROWSER when it is set (a command, the URL appended as its last
// argument; "%s" in it is replaced by the URL instead), else the platform opener: open
// (macOS), rundll32 url.dll,FileProtocolHandler (Windows), xdg-open (elsewhere). It does not
// wait for the browser to close.
func OpenBrowser(u string, getenv func(string) string) error {
	var name string
	var args []string
	if b := strings.TrimSpace(getenv("BROWSER")); b != "" {
		// $BROWSER may list alternatives separated by ':'; use the first.
		first, _, _ := strings.Cut(b, ":")
		fields := strings.Fields(first)
		if len(fields) == 0 {
			return errors.New("$BROWSER is empty")
		}
		name = fields[0]
		replaced := false
		for _, f := range fields[1:] {
			if strings.Contains(f, "%s") {
				f = strings.ReplaceAll(f, "%s", u)
				replaced = true
			}
			args = append(args, f)
		}
		if !replaced {
			args = append(args, u)
		}
	} else {
		switch runtime.GOOS {
		case "darwin":
			name, args = "open", []string{u}
		case "windows":
			name, args = "rundll32", []string{"url.dll,FileProtocolHandler", u}
		default:
			name, args = "xdg-open", []string{u}
		}
	}
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reap; the browser outlives the sign-in
	return nil
}
