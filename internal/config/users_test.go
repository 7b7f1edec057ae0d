package config

import (
	"strings"
	"testing"
)

const (
	keyAna  = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIITfK8PlbLulRANa3y7g6f4so8TcC0fVwHwuiUQInu8C ana@laptop"
	keyBeto = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfBoZkX+UKupvzcYa1/q9QdaZc0XdbxYzalOTkaMYF9 beto"
)

func TestUsersLoad(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "workers: 2\nusers:\n  - name: ana\n    role: operator\n    keys: [\""+keyAna+"\"]\n    connections: [tienda]\n  - name: beto\n    keys:\n      - "+keyBeto+"\n")
	l, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Users) != 2 || !l.Users[0].Operator() || l.Users[0].Connections[0] != "tienda" || l.Users[1].Operator() || l.Users[1].Keys[0] != keyBeto {
		t.Fatalf("users = %+v", l.Users)
	}
	var shown []string
	for _, e := range l.Show() {
		if strings.HasPrefix(e.Key, "users.") {
			shown = append(shown, e.Key+"="+e.Value)
		}
	}
	if strings.Join(shown, ";") != "users.ana=operator, 1 keys, connections tienda;users.beto=viewer, 1 keys" {
		t.Errorf("config show: %v", shown)
	}
}

func TestUsersRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		body string
		want []string
	}{
		"key given to two users": {"users:\n  - name: ana\n    keys: [\"" + keyAna + "\"]\n  - name: beto\n    keys: [\"" + keyAna + "\"]\n",
			[]string{"line 4", "given to both ana and beto", "SHA256:"}},
		"bad role":      {"users:\n  - name: ana\n    role: admin\n    keys: [\"" + keyAna + "\"]\n", []string{"line 2", "user ana", `"admin"`, "operator or viewer"}},
		"bad key":       {"users:\n  - name: ana\n    keys: [ssh-rsa nonsense]\n", []string{"user ana, key 1", "OpenSSH public key"}},
		"no keys":       {"users:\n  - name: ana\n", []string{"user ana has no keys"}},
		"unknown field": {"users:\n  - name: ana\n    rol: operator\n    keys: [\"" + keyAna + "\"]\n", []string{"line 3", "ana", `unknown field "rol"`}},
		"not a list":    {"users: ana\n", []string{"line 1", "users is a list"}},
		"twice":         {"users:\n  - name: ana\n    keys: [\"" + keyAna + "\"]\n  - name: ana\n    keys: [\"" + keyBeto + "\"]\n", []string{"user ana appears twice"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(writeFile(t, tc.body), nil)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
