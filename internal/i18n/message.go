package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/folio-cl/folio/internal/safetext"
)

// Message is words kept to be shown later in the reader's language: a
// catalog id with its arguments (an order's reason, a control's outcome,
// a timeline line). An argument is itself a Message: a value written the
// same in both languages (a number, a code, a name), words from outside
// folio kept as written and shown quoted (an SII reason, a marketplace's
// error text), or another catalog message.
//
// Its JSON is the catalog form the store keeps: {"id":"…","args":[…]},
// where a value is a JSON string, quoted outside words are {"q":"…"} and
// a nested message is an object of its own. Timeline events written
// before nesting ({"id","args":["…"]}) read the same way.
type Message struct {
	ID   ID
	Args []Message
	// Text is an argument's value when ID is empty; Quoted marks it as
	// words from outside folio.
	Text   string
	Quoted bool
	// ES and EN, when set (ID and Text empty), are folio's own words kept
	// outside this catalog in both languages (internal/dte's texts).
	ES, EN string
}

// M is message id with args: a Message is kept as it is, a string or any
// other value becomes a value (fmt.Sprint). Use Quote for outside words.
func M(id ID, args ...any) Message {
	m := Message{ID: id}
	for _, a := range args {
		switch v := a.(type) {
		case Message:
			m.Args = append(m.Args, v)
		case string:
			m.Args = append(m.Args, Value(v))
		default:
			m.Args = append(m.Args, Value(fmt.Sprint(v)))
		}
	}
	return m
}

// Value is an argument written the same in both languages.
func Value(s string) Message { return Message{Text: s} }

// Quote is words from outside folio, shown as written and marked quoted.
func Quote(s string) Message { return Message{Text: s, Quoted: true} }

// Both is folio's own words kept elsewhere in both languages (internal/dte
// keeps its texts so).
func Both(es, en string) Message { return Message{ES: es, EN: en} }

// IsZero says m holds nothing.
func (m Message) IsZero() bool {
	return m.ID == "" && m.Text == "" && m.ES == "" && m.EN == "" && len(m.Args) == 0
}

// Known says every id in m is in the catalog, so that it can be shown in
// either language (a message from a newer folio may not be).
func (m Message) Known() bool {
	if m.ID == "" {
		return len(m.Args) == 0
	}
	if !Has(m.ID) {
		return false
	}
	for _, a := range m.Args {
		if !a.Known() {
			return false
		}
	}
	return true
}

// In is m in lang for a screen: values made safe for a terminal
// (safetext), outside words quoted.
func (m Message) In(lang Lang) string { return m.render(lang, true) }

// Plain is m in lang as the store keeps it beside the id (the reason and
// outcome columns, an event's message): values as written, no quotes.
func (m Message) Plain(lang Lang) string { return m.render(lang, false) }

func (m Message) render(lang Lang, screen bool) string {
	if m.ID == "" && (m.ES != "" || m.EN != "") {
		s := m.ES
		if lang == EN {
			s = m.EN
		}
		if screen {
			return safetext.Text(s)
		}
		return s
	}
	if m.ID == "" {
		if !screen {
			return m.Text
		}
		s := safetext.Text(m.Text)
		if m.Quoted {
			return T(lang, "quote", s)
		}
		return s
	}
	msg, ok := catalog[m.ID]
	if !ok {
		return "!" + string(m.ID)
	}
	f := msg.ES
	if lang == EN {
		f = msg.EN
	}
	if len(m.Args) == 0 {
		return f
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		args[i] = a.render(lang, screen)
	}
	// Arguments are kept as text: a %d in the catalog takes its digits.
	return fmt.Sprintf(intVerb.ReplaceAllString(f, "%${1}s"), args...)
}

// intVerb is a %d verb, possibly indexed (%[2]d).
var intVerb = regexp.MustCompile(`%(\[\d+\])?d`)

// Stored is words the store kept, in lang: its message (msgJSON) when it
// has one this catalog knows, else the text as it was stored; either way
// safe for a terminal.
func Stored(lang Lang, msgJSON, text string) string {
	if m, ok := ParseMessage(msgJSON); ok && m.Known() {
		return m.In(lang)
	}
	return safetext.Text(text)
}

// Encode is m's JSON for the store; "" for an empty message.
func (m Message) Encode() string {
	if m.IsZero() {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

// ParseMessage reads a message the store kept (a catalog message, or
// words in both languages, or outside words); ok is false for "" and for
// anything that is not a message.
func ParseMessage(s string) (Message, bool) {
	if s == "" {
		return Message{}, false
	}
	var m Message
	if err := json.Unmarshal([]byte(s), &m); err != nil || m.IsZero() {
		return Message{}, false
	}
	return m, true
}

type messageJSON struct {
	ID   ID        `json:"id,omitempty"`
	Args []Message `json:"args,omitempty"`
	Q    *string   `json:"q,omitempty"`
	ES   string    `json:"es,omitempty"`
	EN   string    `json:"en,omitempty"`
}

// MarshalJSON writes m in the store's form (see Message).
func (m Message) MarshalJSON() ([]byte, error) {
	if m.ID == "" {
		if m.ES != "" || m.EN != "" {
			return json.Marshal(messageJSON{ES: m.ES, EN: m.EN})
		}
		if m.Quoted {
			return json.Marshal(messageJSON{Q: &m.Text})
		}
		return json.Marshal(m.Text)
	}
	return json.Marshal(messageJSON{ID: m.ID, Args: m.Args})
}

// UnmarshalJSON reads the store's form (see Message).
func (m *Message) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*m = Value(s)
		return nil
	}
	var j messageJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	switch {
	case j.Q != nil:
		*m = Quote(*j.Q)
	case j.ID != "":
		*m = Message{ID: j.ID, Args: j.Args}
	case j.ES != "" || j.EN != "":
		*m = Both(j.ES, j.EN)
	default:
		return errors.New("message: neither an id, a value, quoted words nor words in both languages")
	}
	return nil
}
