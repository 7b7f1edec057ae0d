package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Paths says where folio keeps its files.
type Paths struct {
	ConfigFile string `json:"config_file"` // $XDG_CONFIG_HOME/folio/config.yaml
	Store      string `json:"store"`       // $XDG_DATA_HOME/folio/folio.db
	StateDir   string `json:"state_dir"`   // $XDG_STATE_HOME/folio (logs)
}

// DefaultPaths resolves folio's locations for this system. The XDG
// variables win on every OS when set to an absolute path (relative ones
// are ignored, as the XDG spec asks). Otherwise: ~/.config, ~/.local/share
// and ~/.local/state on Linux and the BSDs; ~/Library/Application Support
// and ~/Library/Logs on macOS; %APPDATA% and %LOCALAPPDATA% on Windows.
func DefaultPaths(env func(string) string) Paths { return pathsFor(runtime.GOOS, env) }

func pathsFor(goos string, env func(string) string) Paths {
	home := homeDir(goos, env)
	xdg := func(name string) (string, bool) {
		if v := env(name); v != "" && isAbs(goos, v) {
			return v, true
		}
		return "", false
	}
	var config, data, state string
	switch goos {
	case "darwin":
		support := filepath.Join(home, "Library", "Application Support", "folio")
		config, data, state = support, support, filepath.Join(home, "Library", "Logs", "folio")
	case "windows":
		roaming := env("APPDATA")
		if roaming == "" {
			roaming = filepath.Join(home, "AppData", "Roaming")
		}
		local := env("LOCALAPPDATA")
		if local == "" {
			local = filepath.Join(home, "AppData", "Local")
		}
		config, data, state = filepath.Join(roaming, "folio"), filepath.Join(local, "folio"), filepath.Join(local, "folio", "logs")
	default:
		config = filepath.Join(home, ".config", "folio")
		data = filepath.Join(home, ".local", "share", "folio")
		state = filepath.Join(home, ".local", "state", "folio")
	}
	if v, ok := xdg("XDG_CONFIG_HOME"); ok {
		config = filepath.Join(v, "folio")
	}
	if v, ok := xdg("XDG_DATA_HOME"); ok {
		data = filepath.Join(v, "folio")
	}
	if v, ok := xdg("XDG_STATE_HOME"); ok {
		state = filepath.Join(v, "folio")
	}
	return Paths{
		ConfigFile: filepath.Join(config, "config.yaml"),
		Store:      filepath.Join(data, "folio.db"),
		StateDir:   state,
	}
}

// homeDir is $HOME (%USERPROFILE% on Windows), else what the OS says.
func homeDir(goos string, env func(string) string) string {
	name := "HOME"
	if goos == "windows" {
		name = "USERPROFILE"
	}
	if h := env(name); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// isAbs is filepath.IsAbs for goos, so that Windows paths can be tested
// on any machine.
func isAbs(goos, p string) bool {
	if goos == "windows" {
		return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}

// expandHome turns a leading "~/" into the home directory, so that
// store: ~/folio/folio.db works as people expect.
func expandHome(p string, env func(string) string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		return filepath.Join(homeDir(runtime.GOOS, env), p[1:])
	}
	return p
}
