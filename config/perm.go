package config

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
)

// A config file on a shared workstation must be the user's own and writable by nobody else,
// as ssh insists for its own files: whoever can change it can point shcr at their own server
// or token endpoint. checkOwner (perm_unix.go) refuses one that is not; it is a no-op where
// the file system has no Unix permissions (Windows).

// maxConfigBytes is far more than any config needs (a few kilobytes).
const maxConfigBytes = 1 << 20

// readFile opens path, checks its owner and permissions on the open file (so that the file
// checked is the file read), and reads it.
func readFile(path string) (data []byte, readableByOthers bool, err error) {
	// A FIFO or device would block the open or never end: only regular files are read.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil, false, &Error{File: path, Msg: "not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if fi.IsDir() {
		return nil, false, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("is a directory")}
	}
	readableByOthers, err = checkOwner(path, fi)
	if err != nil {
		return nil, false, err
	}
	data, err = io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err == nil && len(data) > maxConfigBytes {
		return nil, false, &Error{File: path, Msg: "larger than 1 MiB: not a config file"}
	}
	return data, readableByOthers, err
}

// secretKeys are the config keys that name or hold a secret: an environment variable with a
// token or client secret, a private key file, a keyring entry, a password.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"secret", "password", "passphrase", "keyring", "token_env", "key_file", "private_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// secretReferences lists (sorted) the keys in the raw settings that refer to a secret and
// have a value, e.g. "backends[0].auth.client_secret_env". A value written as
// "keyring:…" counts whatever its key.
func secretReferences(settings map[string]any) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				if isSecretKey(k) && !empty(val) {
					out = append(out, p)
					continue
				}
				walk(p, val)
			}
		case []any:
			for i, val := range x {
				walk(fmt.Sprintf("%s[%d]", prefix, i), val)
			}
		case string:
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(x)), "keyring:") {
				out = append(out, prefix)
			}
		}
	}
	walk("", settings)
	sort.Strings(out)
	return out
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// shellQuote quotes a path for the one-line fix when the shell would split or expand it.
func shellQuote(p string) string {
	safe := p != ""
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+~:@,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
