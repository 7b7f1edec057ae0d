package engine

import "testing"

// A checkout is queued once; a hint during its read asks for exactly one
// more read after it; a full queue sheds.
func TestHintQueue(t *testing.T) {
	h := newHints()
	k := hintKey{1, "co-1"}
	if h.add(k) != HintQueued || h.add(k) != HintDuplicate || len(h.q) != 1 {
		t.Fatal("a queued checkout must not be queued twice")
	}
	<-h.q
	h.take(k)
	if h.add(k) != HintDuplicate || h.add(k) != HintDuplicate || len(h.q) != 0 {
		t.Fatal("hints during the read: no new queue entry")
	}
	if !h.done(k) {
		t.Fatal("a hint came during the read: one more read is due")
	}
	h.take(k)
	if h.done(k) {
		t.Fatal("no hint during the second read: no third")
	}
	if h.add(k) != HintQueued {
		t.Fatal("after the reads, a new hint queues again")
	}
	for i := 0; len(h.q) < cap(h.q); i++ {
		h.add(hintKey{2, string(rune('a'+i%26)) + string(rune(i))})
	}
	if h.add(hintKey{3, "one-more"}) != HintShed {
		t.Fatal("a full queue must shed")
	}
}
