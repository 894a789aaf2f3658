package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvPrefix starts every environment variable shcr reads: SHCR_CONFIG names the config
// file; SHCR_VOCABULARY, SHCR_ROLE, SHCR_PURPOSE, SHCR_IDLE_LOCK and SHCR_USER_NAME (…_ID,
// …_ROLE, …_EMAIL, …_SDS_USER_ID, …_SDS_ROLE_PROFILE_ID, …_ORGANISATION) override the file.
const EnvPrefix = "SHCR_"

// EnvConfig names the config file when --config is not given.
const EnvConfig = EnvPrefix + "CONFIG"

// envKeys are the settings an environment variable can override (SHCR_ + key in upper case,
// dots as underscores). Back ends are a list and are set in the file only.
func envKeys() []string {
	return []string{"vocabulary", "role", "purpose", "idle_lock", "user.name", "user.id", "user.role", "user.email", "user.sds_user_id", "user.sds_role_profile_id", "user.organisation"}
}

// EnvName is the environment variable that overrides key ("user.name" → "SHCR_USER_NAME").
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Options says where Load looks.
type Options struct {
	// File is the --config flag: when set it must exist.
	File string
	// Getenv reads the environment (os.Getenv when nil); tests pass their own.
	Getenv func(string) string
	// Warn receives one-line warnings that do not stop shcr (a config file others can read
	// that refers to secrets); nil writes them to standard error.
	Warn func(string)
}

func (o Options) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
		return
	}
	fmt.Fprintln(os.Stderr, msg)
}

func (o Options) getenv() func(string) string {
	if o.Getenv != nil {
		return o.Getenv
	}
	return os.Getenv
}

// Path says which file Load reads: --config, else $SHCR_CONFIG, else the default path.
// explicit is true for the first two: a missing explicit file is an error, a missing
// default file means "no config".
func Path(file string, getenv func(string) string) (path string, explicit bool, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if file != "" {
		return expandHome(file, getenv), true, nil
	}
	if f := getenv(EnvConfig); f != "" {
		return expandHome(f, getenv), true, nil
	}
	p, err := DefaultPath(getenv)
	return p, false, err
}

// DefaultPath is config.yaml in ConfigDir: $XDG_CONFIG_HOME/shcr/config.yaml, else
// ~/.config/shcr/config.yaml on Linux (see paths.go for macOS and Windows).
func DefaultPath(getenv func(string) string) (string, error) {
	dir, err := ConfigDir(getenv)
	if err != nil {
		return "", fmt.Errorf("cannot find the config file: no $XDG_CONFIG_HOME and no home directory: %w", err)
	}
	return filepath.Join(dir, "config.yaml"), nil
}

func homeDir(getenv func(string) string) (string, error) {
	if h := getenv("HOME"); h != "" {
		return h, nil
	}
	return os.UserHomeDir()
}

// expandHome turns a leading "~/" into the home directory.
func expandHome(p string, getenv func(string) string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p
	}
	home, err := homeDir(getenv)
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}

// Load finds the config file (see Path), reads it with the SHCR_ environment overrides,
// applies defaults and validates it. Every error is an *Error whose message is one line.
// With no file at the default path it returns the defaults (no back ends) and no error.
func Load(opts Options) (Config, error) {
	getenv := opts.getenv()
	path, explicit, err := Path(opts.File, getenv)
	if err != nil {
		return Config{}, &Error{Msg: err.Error()}
	}

	v := viper.New()
	v.SetConfigType("yaml")
	file := ""
	data, readable, err := readFile(path)
	var ce *Error
	switch {
	case errors.As(err, &ce):
		return Config{}, ce // owned by another user, or writable by others
	case err == nil:
		file = path
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return Config{}, yamlError(path, data, err)
		}
		if refs := secretReferences(v.AllSettings()); readable && len(refs) > 0 {
			opts.warn(fmt.Sprintf("config %s is readable by others and refers to secrets (%s): run chmod go-r %s",
				printable(path), printable(strings.Join(refs, ", ")), shellQuote(path)))
		}
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		// No config file: defaults (and the environment) only.
	case errors.Is(err, fs.ErrNotExist):
		return Config{}, &Error{File: path, Msg: "no such file"}
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Config{}, &Error{File: path, Msg: "cannot read: " + err.Error()}
	}

	fromEnv := map[string]string{}
	for _, k := range envKeys() {
		if val := getenv(EnvName(k)); val != "" {
			v.Set(k, val)
			fromEnv[k] = EnvName(k)
		}
	}

	settings := v.AllSettings()
	if b, ok := settings["backends"]; ok {
		if _, list := b.([]any); !list && b != nil {
			return Config{}, locate(&Error{File: file, Key: "backends", Msg: "expected a list (lines starting with -), got " + valueKind(b)}, data, false)
		}
	}
	if err := auditShape(file, data, settings); err != nil {
		return Config{}, err
	}
	bareDurations(settings)
	orgKeys, oerr := organisationsList(settings)
	if oerr != nil {
		oerr.File = file
		return Config{}, locate(oerr, data, false)
	}

	var c Config
	var md mapstructure.Metadata
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:           &c,
		Metadata:         &md,
		WeaklyTypedInput: true,
		DecodeHook:       durationHook,
		TagName:          "mapstructure",
	})
	if err != nil {
		return Config{}, &Error{File: file, Msg: err.Error()}
	}
	if err := dec.Decode(settings); err != nil {
		e := decodeError(err)
		e.File, e.Env = file, fromEnv[e.Key]
		e.Key = orgKey(e.Key, orgKeys)
		return Config{}, locate(e, data, false)
	}
	if len(md.Unused) > 0 {
		for i := range md.Unused {
			md.Unused[i] = orgKey(md.Unused[i], orgKeys)
		}
		return Config{}, locate(unknownKeyError(file, md.Unused), data, true)
	}
	for i := range c.Organisations {
		c.Organisations[i].key = fmt.Sprintf("organisations[%d]", i)
		if orgKeys != nil {
			c.Organisations[i].key = "organisations." + orgKeys[i]
		}
	}

	c.File = file
	for i := range c.Backends {
		b := &c.Backends[i]
		b.Auth.KeyFile = expandHome(b.Auth.KeyFile, getenv)
		b.TLS.CertFile = expandHome(b.TLS.CertFile, getenv)
		b.TLS.KeyFile = expandHome(b.TLS.KeyFile, getenv)
		b.TLS.CAFile = expandHome(b.TLS.CAFile, getenv)
	}
	expandAudit(&c.Audit, getenv)
	ApplyDefaults(&c)
	if err := c.Validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.Env = fromEnv[ce.Key]
			if ce.Env != "" && file == "" {
				ce.File = ""
			}
			locate(ce, data, false)
		}
		return Config{}, err
	}
	return c, nil
}

// locate adds the line and column of e's key in the file, when the value came from it.
func locate(e *Error, data []byte, atKey bool) *Error {
	if e.File != "" && e.Env == "" && e.Key != "" && e.Line == 0 {
		e.Line, e.Col = keyPosition(data, e.Key, atKey)
	}
	return e
}

// bareDurations reads plain numbers as minutes for idle_lock and as seconds for a back
// end's timeout (`idle_lock: 5`, `timeout: 30`).
func bareDurations(settings map[string]any) {
	if d, ok := bareNumber(settings["idle_lock"]); ok {
		settings["idle_lock"] = time.Duration(d * float64(time.Minute))
	}
	backends, _ := settings["backends"].([]any)
	for _, b := range backends {
		m, ok := b.(map[string]any)
		if !ok {
			continue
		}
		if d, ok := bareNumber(m["timeout"]); ok {
			m["timeout"] = time.Duration(d * float64(time.Second))
		}
	}
}

// organisationsList turns the mapping form of `organisations:` (code: {name, domain}) into
// the list form (- code: …) the decoder reads, in code order. It returns the codes as the
// file wrote them (upper case; YAML keys reach here lower-cased), so that errors name
// "organisations.706" rather than a list index; nil when the file used the list form.
func organisationsList(settings map[string]any) ([]string, *Error) {
	v, present := settings["organisations"]
	m, ok := v.(map[string]any)
	if !ok {
		if _, list := v.([]any); !list && present && v != nil {
			return nil, &Error{Key: "organisations", Msg: "expected a mapping (ODS code: {name: …, domain: …}) or a list (lines starting with -), got " + valueKind(v)}
		}
		return nil, nil
	}
	codes := make([]string, 0, len(m))
	for k := range m {
		codes = append(codes, k)
	}
	slices.Sort(codes)
	list := make([]any, 0, len(m))
	keys := make([]string, 0, len(m))
	for _, k := range codes {
		key := strings.ToUpper(k)
		entry, ok := m[k].(map[string]any)
		if !ok {
			return nil, &Error{Key: "organisations." + key, Msg: "expected a mapping (name: …, domain: health | social-care), got " + valueKind(m[k])}
		}
		e := make(map[string]any, len(entry)+1)
		for ek, ev := range entry {
			e[ek] = ev
		}
		if _, has := e["code"]; !has {
			e["code"] = key
		}
		list = append(list, e)
		keys = append(keys, key)
	}
	settings["organisations"] = list
	return keys, nil
}

// orgKey renames "organisations[i]…" to "organisations.CODE…" when the file used the
// mapping form.
func orgKey(key string, codes []string) string {
	rest, ok := strings.CutPrefix(key, "organisations[")
	if !ok || codes == nil {
		return key
	}
	end := strings.Index(rest, "]")
	if end < 0 {
		return key
	}
	i, err := strconv.Atoi(rest[:end])
	if err != nil || i < 0 || i >= len(codes) {
		return key
	}
	return "organisations." + codes[i] + rest[end+1:]
}

func bareNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

var durationType = reflect.TypeOf(time.Duration(0))

func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType || from == durationType {
		return data, nil
	}
	s, ok := data.(string)
	if !ok {
		return data, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a duration (write e.g. 90s, 5m or 1h30m)", s)
	}
	return d, nil
}
