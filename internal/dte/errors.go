package dte

import (
	"errors"
	"fmt"
)

// Lang selects the language of a message: "es" (es-CL) or "en".
type Lang string

// Languages folio speaks.
const (
	ES Lang = "es"
	EN Lang = "en"
)

// Text is a message in both languages.
type Text struct {
	ES string
	EN string
}

// In returns the text in lang (Spanish unless lang is English).
func (t Text) In(lang Lang) string {
	if lang == EN {
		return t.EN
	}
	return t.ES
}

// ValidationError says why a sale cannot become a document: which rule
// (Code, a key of the catalog), which field, what is wrong and how to fix
// it, in both languages.
type ValidationError struct {
	Code    string
	Field   string // SII or checkout field, e.g. "Receptor.RUTRecep"
	Value   string // the offending value, when there is one
	Message Text
	Fix     Text
}

func (e *ValidationError) Error() string { return e.Line(EN) }

// Line renders the error as one line: field, problem, fix.
func (e *ValidationError) Line(lang Lang) string {
	return fmt.Sprintf("%s: %s — %s", e.Field, e.Message.In(lang), e.Fix.In(lang))
}

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

func invalid(code, field, value string, msg, fix Text) *ValidationError {
	return &ValidationError{Code: code, Field: field, Value: value, Message: msg, Fix: fix}
}

// Warning is something the builder changed visibly, such as a name cut to
// the SII's length limit. Warnings go to the order's timeline.
type Warning struct {
	Code    string
	Field   string
	Message Text
}
