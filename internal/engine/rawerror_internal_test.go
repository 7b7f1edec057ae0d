package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
)

// The timeline's raw error is the service's or the library's own words:
// never folio's reason again (it was the Spanish reason under the English
// console's Problem section), and nothing for folio's own validation.
func TestRawErrorIsTheOwnWordsOfTheCause(t *testing.T) {
	_, err := dte.ParseRUT("77.173.075-1")
	_, _, verr := dte.Build(dte.Sale{}, dte.Options{})
	if _, ok := dte.AsValidation(verr); !ok {
		t.Fatalf("an empty sale built: %v", verr)
	}
	service := errors.New("multivende: checkout co-1: 503 Service Unavailable")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{service, service.Error()},
		{&permanent{code: "X", reason: i18n.M("reason.order_not_json"), err: err}, err.Error()},
		{&permanent{code: "X", reason: i18n.M("reason.order_not_json")}, ""},
		{&permanent{code: "X", reason: i18n.M("reason.order_not_json"), err: verr}, ""},
		{fmt.Errorf("build: %w", &permanent{code: "X", reason: i18n.M("reason.order_not_json"), err: service}), service.Error()},
	} {
		if got := rawError(tc.err); got != tc.want {
			t.Errorf("rawError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
