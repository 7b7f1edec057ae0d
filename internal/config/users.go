package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/i18n"
	"gopkg.in/yaml.v3"
)

// Roles a user of folio serve may have.
const (
	RoleOperator = "operator" // sees and acts (on their connections)
	RoleViewer   = "viewer"   // sees only
)

// User is a person who may open the console over SSH (folio serve).
type User struct {
	Name string `yaml:"name" json:"name"`
	// Keys are OpenSSH public keys, one authorized_keys line each.
	Keys []string `yaml:"keys" json:"keys"`
	// Role is operator or viewer (empty: viewer, the safe one).
	Role string `yaml:"role" json:"role"`
	// Connections limits what the user sees and acts on to these
	// connections (none: all).
	Connections []string `yaml:"connections" json:"connections,omitempty"`
}

// Operator says whether the user may act.
func (u User) Operator() bool { return u.Role == RoleOperator }

var userNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ParseUserKey reads one public key as written in authorized_keys.
func ParseUserKey(line string) (ssh.PublicKey, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return nil, fmt.Errorf("not an OpenSSH public key (a line such as ssh-ed25519 AAAA… name, from ~/.ssh/id_ed25519.pub)")
	}
	return k, nil
}

// userProblems checks every user, naming them: a key given to two users
// names both.
func (c Config) userProblems(bad func(key string, id i18n.ID, args ...any)) {
	owner := map[string]string{} // key fingerprint → user
	seen := map[string]bool{}
	for i, u := range c.Users {
		key := "users." + u.Name
		if !userNameRE.MatchString(u.Name) {
			bad("users", "config.user.bad_name", i+1, u.Name)
			continue
		}
		if seen[u.Name] {
			bad(key, "config.user.twice", key, u.Name)
			continue
		}
		seen[u.Name] = true
		if u.Role != "" && u.Role != RoleOperator && u.Role != RoleViewer {
			bad(key, "config.user.bad_role", key, u.Name, u.Role)
		}
		if len(u.Keys) == 0 {
			bad(key, "config.user.no_keys", key, u.Name)
		}
		for j, line := range u.Keys {
			k, err := ParseUserKey(line)
			if err != nil {
				bad(key, "config.user.bad_key", key, u.Name, j+1)
				continue
			}
			fp := ssh.FingerprintSHA256(k)
			switch other, dup := owner[fp]; {
			case dup && other == u.Name:
				bad(key, "config.user.key_twice", key, u.Name, fp)
			case dup:
				bad(key, "config.user.key_shared", key, fp, other, u.Name)
			default:
				owner[fp] = u.Name
			}
		}
		for _, conn := range u.Connections {
			if strings.TrimSpace(conn) == "" {
				bad(key, "config.user.empty_conn", key, u.Name)
			}
		}
	}
}

// decodeUsers reads users: [{name, keys, role, connections}], refusing
// unknown fields by name.
func decodeUsers(n *yaml.Node, c *Config, src map[string]Source, say func(int, i18n.Message)) {
	if n.Kind != yaml.SequenceNode {
		say(n.Line, i18n.M("config.users.not_list"))
		return
	}
	src["users"] = Source{Kind: FromFile, Line: n.Line}
	fields := []string{"name", "keys", "role", "connections"}
	for i, e := range n.Content {
		if e.Kind != yaml.MappingNode {
			say(e.Line, i18n.M("config.users.entry_shape", i+1))
			continue
		}
		var u User
		name := i18n.M("config.users.entry", i+1) // until its name is read
		for j := 0; j+1 < len(e.Content); j += 2 {
			if k, v := e.Content[j], e.Content[j+1]; k.Value == "name" && v.Kind == yaml.ScalarNode {
				u.Name, name = v.Value, i18n.Value(v.Value)
			}
		}
		for j := 0; j+1 < len(e.Content); j += 2 {
			k, v := e.Content[j], e.Content[j+1]
			switch k.Value {
			case "name":
				if v.Kind != yaml.ScalarNode {
					say(v.Line, i18n.M("config.users.name_word", name))
				}
			case "role":
				if v.Kind != yaml.ScalarNode {
					say(v.Line, i18n.M("config.users.role_word", name))
					continue
				}
				u.Role = v.Value
			case "keys", "connections":
				list, ok := scalars(v)
				if !ok {
					say(v.Line, i18n.M("config.users.list", name, k.Value))
					continue
				}
				if k.Value == "keys" {
					u.Keys = list
				} else {
					u.Connections = list
				}
			default:
				say(k.Line, i18n.M("config.users.unknown_field", name, k.Value, strings.Join(fields, ", ")))
			}
		}
		if u.Name != "" && !slices.ContainsFunc(c.Users, func(o User) bool { return o.Name == u.Name }) {
			src["users."+u.Name] = Source{Kind: FromFile, Line: e.Line}
		}
		c.Users = append(c.Users, u)
	}
}

// scalars reads a list of scalars, or one scalar as a list of one.
func scalars(v *yaml.Node) ([]string, bool) {
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return nil, true
	case v.Kind == yaml.ScalarNode:
		return []string{v.Value}, true
	case v.Kind == yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return nil, false
			}
			out = append(out, e.Value)
		}
		return out, true
	}
	return nil, false
}
