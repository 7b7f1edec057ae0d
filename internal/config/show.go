package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Entry is one key of the effective configuration, for `folio config show`.
type Entry struct {
	Key    string `json:"key"`
	Value  string `json:"value"` // secrets masked
	Secret bool   `json:"secret,omitempty"`
	Source Source `json:"source"`
}

// Show lists every key with its value (secrets masked) and where the
// value came from, in the order of Keys; keymap overrides follow as
// keymap.ACTION, sorted.
func (l Loaded) Show() []Entry {
	var out []Entry
	for _, k := range Keys {
		if k.Name == "keymap" || k.Name == "users" {
			continue
		}
		v := get(l.Config, k.Name)
		if k.Secret {
			v = Mask(v)
		}
		out = append(out, Entry{Key: k.Name, Value: v, Secret: k.Secret, Source: l.Sources[k.Name]})
	}
	for _, action := range slices.Sorted(maps.Keys(l.Keymap)) {
		key := "keymap." + action
		out = append(out, Entry{Key: key, Value: strings.Join(l.Keymap[action], ", "), Source: l.Sources[key]})
	}
	for _, u := range l.Users {
		role := u.Role
		if role == "" {
			role = RoleViewer
		}
		v := fmt.Sprintf("%s, %d keys", role, len(u.Keys))
		if len(u.Connections) > 0 {
			v += ", connections " + strings.Join(u.Connections, ", ")
		}
		out = append(out, Entry{Key: "users." + u.Name, Value: v, Source: l.Sources["users."+u.Name]})
	}
	return out
}

// Redacted returns a copy of c with every secret masked, safe to print or
// log.
func (c Config) Redacted() Config {
	r := c
	r.Keymap = maps.Clone(c.Keymap)
	for _, k := range Keys {
		if k.Secret {
			_ = set(&r, k.Name, Mask(get(c, k.Name)))
		}
	}
	return r
}

// Secrets returns the secret values c holds (empty ones left out), for
// redacting logs and screens and for tests that look for leaks.
func (c Config) Secrets() []string {
	var out []string
	for _, k := range Keys {
		if k.Secret {
			if v := get(c, k.Name); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// Mask hides a secret but for its ends: "ab…yz", or "••••" when it is too
// short (under 12 characters) for its ends to be safe to show.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	if len(r) < 12 {
		return "••••"
	}
	return string(r[:2]) + "…" + string(r[len(r)-2:])
}
