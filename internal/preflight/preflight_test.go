package preflight

import (
	"context"
	"errors"
	"testing"
)

func TestCheckRunsTheCarriedCheck(t *testing.T) {
	if err := Check(context.Background()); err != nil {
		t.Fatalf("no check carried: %v", err)
	}
	lost := errors.New("lost")
	calls := 0
	ctx := With(context.Background(), func(context.Context) error { calls++; return lost })
	if err := Check(ctx); !errors.Is(err, lost) || calls != 1 {
		t.Fatalf("Check = %v after %d calls, want the check's error after 1", err, calls)
	}
}
