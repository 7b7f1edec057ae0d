// Package dte is folio's tax domain: Chilean RUTs, the DTE document model
// (with the SII's field names as JSON keys, which is also what LibreDTE
// reads), the builder that turns a sale into a document following
// ../shared/docs/dte.md, validation errors a person can act on, and the
// catalog of error codes folio shows. It does no I/O and imports nothing of
// folio's, so every other package may use it.
package dte
