// Package themes holds the console's colour themes as embedded YAML files,
// so a theme can be read, copied and changed without touching Go code.
package themes

import "embed"

// Files holds every *.yaml theme; the file name (without .yaml) is the
// theme's name.
//
//go:embed *.yaml
var Files embed.FS
