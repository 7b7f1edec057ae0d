package main

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/loopback"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
)

// errorText is what a command's error says to a person in l. The store's
// failures and cobra's refusals are written in English where they are
// made; they are said again from the catalog. Every other error was
// written in l already, or quotes outside words.
func errorText(l i18n.Lang, loc *time.Location, err error) string {
	if oe, ok := errors.AsType[*store.OpenError](err); ok {
		return openErrorText(l, oe)
	}
	if fe, ok := errors.AsType[*faults.SpecError](err); ok {
		return l.T(i18n.ID("faults."+fe.Problem), fe.Part, faults.Known)
	}
	if ce, ok := errors.AsType[*config.Error](err); ok {
		return ce.In(l)
	}
	if le, ok := errors.AsType[*loopback.ListenError](err); ok {
		return l.T("sim.listen", "--"+le.Service+"-addr", le.Addr, l.T("quote", le.Err.Error()))
	}
	if ce, ok := errors.AsType[*sim.ConnectError](err); ok {
		return simConnectText(l, ce)
	}
	if le, ok := errors.AsType[*store.LeaseError](err); ok {
		h := le.Holder
		return l.T("store.lease_held", h.PID, h.Host, i18n.FormatTime(l, h.StartedAt, loc))
	}
	if se, ok := errors.AsType[*store.Error](err); ok && store.KindName(se.Kind) != "" && err == error(se) {
		k := store.KindName(se.Kind)
		return l.T("store.io", l.T(i18n.ID("store.kind."+k)), l.T("quote", se.Err.Error()), storeFix(l, k))
	}
	if _, ok := engine.ServiceReason(err); ok {
		return engine.ServiceWords(err).In(l) // a service's failure, as an order's reason says it
	}
	return cobraText(l, err.Error())
}

// simConnectText says why --sim leads to no simulator; what the network
// answered is quoted as it came.
func simConnectText(l i18n.Lang, e *sim.ConnectError) string {
	switch e.Case {
	case sim.CaseUnreachable:
		return l.T("sim.connect.unreachable", e.URL, l.T("quote", e.Err.Error()))
	case sim.CaseNoInvoicer:
		return l.T("sim.connect.no_invoicer", e.URL, e.Invoicer)
	case sim.CaseNotAURL:
		return l.T("sim.connect.not_a_url", e.URL)
	}
	return l.T("sim.connect.not_simulator", e.URL)
}

func openErrorText(l i18n.Lang, e *store.OpenError) string {
	k := store.KindName(e.Kind)
	detail := openDetail(l, e)
	switch e.Case {
	case store.CaseDirectory:
		return l.T("store.case.directory", e.Path, filepath.Join(e.Path, "folio.db"))
	case store.CaseNewerSchema, store.CaseOldSchema:
		return l.T(i18n.ID("store.case."+e.Case), e.Path, e.Have, e.Want)
	case store.CaseNotAStoreFile:
		return l.T("store.case.not_a_store_file", e.Path)
	case store.CaseBadAddress:
		return l.T("store.case.bad_address", e.Path, l.T("quote", e.Cause))
	case store.CaseNoPrivilege, store.CaseUnreachable:
		return l.T(i18n.ID("store.case."+e.Case), e.Path, l.T(i18n.ID("store.kind."+k)), detail)
	}
	if k == "" {
		return e.Error()
	}
	if detail == "" {
		return l.T("store.open_no_info", e.Path, l.T(i18n.ID("store.kind."+k)), storeFix(l, k))
	}
	return l.T("store.open", e.Path, l.T(i18n.ID("store.kind."+k)), detail, storeFix(l, k))
}

// openDetail is the step that failed, in l, and the words of what failed
// it as they came.
func openDetail(l i18n.Lang, e *store.OpenError) string {
	if e.Cause == "" {
		return e.Detail
	}
	return l.T(i18n.ID("store.op."+string(e.Op)), e.Cause)
}

func storeFix(l i18n.Lang, kind string) string {
	id := i18n.ID("store.fix." + kind)
	if !i18n.Has(id) {
		return ""
	}
	return l.T(id)
}

// cobra's refusals, by the words it writes them with.
var cobraRefusals = []struct {
	re *regexp.Regexp
	id i18n.ID
}{
	{regexp.MustCompile(`^unknown flag: (\S+)$`), "cli.unknown_flag"},
	{regexp.MustCompile(`^unknown shorthand flag: (.+)$`), "cli.unknown_shorthand"},
	{regexp.MustCompile(`^flag needs an argument: (.+)$`), "cli.flag_needs_arg"},
	{regexp.MustCompile(`^invalid argument (".*") for (".*") flag: (.*)$`), "cli.bad_flag_value"},
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), "cli.args_exact"},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), "cli.args_min"},
	{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`), "cli.args_max"},
	{regexp.MustCompile(`^unknown command (".*") for (".*")$`), "cli.unknown_command"},
	{regexp.MustCompile(`^required flag\(s\) (.*) not set$`), "cli.required_flags"},
}

// flagValueKinds name, by the words of the parser that refused it, what
// a flag's value must be.
var flagValueKinds = []struct {
	re *regexp.Regexp
	id i18n.ID
}{
	{regexp.MustCompile(`^strconv\.ParseUint: `), "cli.flag_want_uint"},
	{regexp.MustCompile(`^strconv\.ParseInt: `), "cli.flag_want_int"},
	{regexp.MustCompile(`^strconv\.ParseFloat: `), "cli.flag_want_number"},
	{regexp.MustCompile(`^strconv\.ParseBool: `), "cli.flag_want_bool"},
	{regexp.MustCompile(`^time: (invalid|unknown unit|missing unit)`), "cli.flag_want_duration"},
}

// flagValueWhy says why cobra refused a flag's value in l: what the value
// must be, when the parser is one folio's flags use, else its words quoted.
func flagValueWhy(l i18n.Lang, why string) string {
	for _, k := range flagValueKinds {
		if k.re.MatchString(why) {
			return l.T(k.id)
		}
	}
	return l.T("quote", why)
}

// wrongArgCount says err is cobra's refusal of how many arguments a
// command was given: the command's usage line then follows it.
func wrongArgCount(err error) bool {
	first, _, _ := strings.Cut(err.Error(), "\n")
	for _, r := range cobraRefusals {
		if strings.HasPrefix(string(r.id), "cli.args_") && r.re.MatchString(first) {
			return true
		}
	}
	return false
}

// cobraText says a cobra refusal (its first line; a "Did you mean"
// list follows it) in l; other text is returned as it is.
func cobraText(l i18n.Lang, msg string) string {
	first, rest, _ := strings.Cut(msg, "\n")
	for _, r := range cobraRefusals {
		m := r.re.FindStringSubmatch(first)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			args[i] = a
		}
		if r.id == "cli.bad_flag_value" {
			args[2] = flagValueWhy(l, m[3])
		}
		first = l.T(r.id, args...)
		rest = strings.Replace(rest, "Did you mean this?", l.T("cli.did_you_mean"), 1)
		break
	}
	if rest == "" && !strings.HasSuffix(msg, "\n") {
		return first
	}
	return first + "\n" + rest
}

// langInArgs is the language a command line asks for with --lang, when
// it names one of folio's (read here when cobra refused the line before
// the command could read its flags).
func langInArgs(args []string) (i18n.Lang, bool) {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--lang=")
		if !ok && a == "--lang" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if ok {
			if l, err := i18n.ParseLang(v); err == nil {
				return l, true
			}
		}
		if a == "--" {
			break
		}
	}
	return "", false
}

// themeRefused names a theme that does not exist, and the ones that do.
func themeRefused(l i18n.Lang, name string) error {
	return errors.New(l.T("cli.theme_bad", name, strings.Join(tui.ThemeNames(), ", ")))
}
