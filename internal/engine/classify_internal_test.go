package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
)

// An invoicer's failure as folio words it (no reply, a reply without a
// folio) reaches the reason in the reader's language; the provider's own
// words stay quoted as they came.
func TestClassifyInvoicerWordsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	own := fmt.Errorf("order x: %w", &invoicer.Error{Code: invoicer.CodeServer, Op: "generar", Msg: i18n.M("call.no_reply")})
	_, msg, _, retry, _ := classify(own)
	if !retry {
		t.Errorf("no reply is worth retrying")
	}
	es, en := msg.Plain(i18n.ES), msg.Plain(i18n.EN)
	if !strings.HasSuffix(es, ": sin respuesta") || !strings.HasSuffix(en, ": no reply") {
		t.Errorf("reason es %q, en %q: want the title then folio's words in each language", es, en)
	}

	theirs := &invoicer.Error{Code: invoicer.CodeServer, Op: "generar", Status: 500, Message: "Error interno"}
	_, msg, _, _, _ = classify(theirs)
	if en := msg.In(i18n.EN); !strings.HasSuffix(en, "“Error interno”") {
		t.Errorf("the provider's words in English %q: want them quoted as written", en)
	}
}

func TestClassifyMultivendeWordsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	big := &multivende.Error{Code: multivende.CodePDFTooLarge, Op: "upload document file", Object: "d1", Msg: i18n.M("mv.pdf_too_large", 9000000, multivende.MaxPDFSize)}
	code, msg, _, retry, _ := classify(fmt.Errorf("attach: %w", big))
	if code != multivende.CodePDFTooLarge || retry {
		t.Fatalf("classify = %s, retry %v", code, retry)
	}
	if es, en := msg.In(i18n.ES), msg.In(i18n.EN); !strings.Contains(es, "el PDF tiene 9000000 bytes") || !strings.Contains(en, "the PDF has 9000000 bytes") ||
		strings.ContainsAny(es+en, "«“") {
		t.Errorf("reason es %q, en %q: want folio's words, unquoted, in each language", es, en)
	}
}

// A call that never reached the service: the catalog's words, then the
// system's quoted; an error of no service is quoted whole.
func TestServiceWords(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("check: %w", &invoicer.Error{Code: invoicer.CodeServer, Op: "check", Msg: i18n.M("invoicer.ld.unreachable"),
		Err: fmt.Errorf("dial tcp 127.0.0.1:1: connect: connection refused")})
	es := ServiceWords(err).In(i18n.ES)
	if !strings.Contains(es, "no se envió: no se pudo llegar a LibreDTE: «dial tcp 127.0.0.1:1: connect: connection refused»") || strings.Contains(es, "INV-SERVER") {
		t.Errorf("in Spanish: %q", es)
	}
	if en := ServiceWords(fmt.Errorf("disk full")).In(i18n.EN); en != "“disk full”" {
		t.Errorf("an error of no service: %q", en)
	}
}
