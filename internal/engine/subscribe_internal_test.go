package engine

import "testing"

// A console that stops listening (an SSH session that drops) must not
// leave its reader blocked on the channel forever: unsubscribing closes
// it, once.
func TestUnsubscribeClosesTheChannel(t *testing.T) {
	t.Parallel()
	e := &Engine{subs: map[chan Change]struct{}{}}
	ch, unsub := e.Subscribe()
	unsub()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("a change arrived after unsubscribing")
		}
	default:
		t.Fatal("the channel is still open: its reader waits forever")
	}
	unsub() // a second call is harmless
	e.notify(Change{})
}
