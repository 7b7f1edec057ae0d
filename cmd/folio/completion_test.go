package main

import (
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	// Each shell's script, recognisable by a line only that shell's
	// generator writes.
	tests := map[string]string{
		"bash":       "complete -o default -F __start_folio folio",
		"zsh":        "#compdef folio",
		"fish":       "complete -c folio",
		"powershell": "Register-ArgumentCompleter",
	}
	for shell, marker := range tests {
		t.Run(shell, func(t *testing.T) {
			out, _, err := runFolio(t, "", "completion", shell)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, marker) {
				t.Fatalf("%s script lacks %q:\n%.400s", shell, marker, out)
			}
		})
	}
	if _, _, err := runFolio(t, "", "completion", "tcsh"); err == nil {
		t.Error("an unknown shell must be an error")
	}
}

func TestCompletionOffersCommands(t *testing.T) {
	// Cobra's hidden __complete is what every shell script calls.
	out, _, err := runFolio(t, "", "__complete", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"info", "config", "completion", "version", "dte"} {
		if !strings.Contains(out, want+"\t") && !strings.Contains(out, want+"\n") {
			t.Errorf("completion of commands lacks %s:\n%s", want, out)
		}
	}
	out, _, err = runFolio(t, "", "__complete", "config", "")
	if err != nil || !strings.Contains(out, "show") {
		t.Fatalf("config subcommands: %v\n%s", err, out)
	}
}
