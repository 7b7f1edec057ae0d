package multivende

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/folio-cl/folio/internal/i18n"
)

// Checkout reads one order's detail (GET /api/checkouts/{id}), returning it
// decoded and as the raw JSON Multivende sent (the store keeps the raw). On
// MV-DECODE the raw bytes still come back.
func (c *Client) Checkout(ctx context.Context, id string) (*Checkout, []byte, error) {
	if err := need("checkout", i18n.M("mv.what.checkout_id"), id); err != nil {
		return nil, nil, err
	}
	var co Checkout
	raw, err := c.getJSON(ctx, "checkout", id, "/api/checkouts/"+esc(id), nil, &co)
	if err != nil {
		return nil, raw, err
	}
	if co.ID == "" {
		return nil, raw, &Error{Code: CodeDecode, Op: "checkout", Object: id, Msg: i18n.M("mv.no_id")}
	}
	return &co, raw, nil
}

// CreateBillingDocument attaches a billing document to a checkout
// (POST /api/checkouts/{id}/electronic-billing-documents) and returns the
// created document with its _id. An Uncertain error means it may exist:
// read BillingDocuments before trying again.
func (c *Client) CreateBillingDocument(ctx context.Context, checkoutID string, d NewBillingDocument) (*ElectronicBillingDocument, error) {
	const op = "attach document to checkout"
	if err := need(op, i18n.M("mv.what.checkout_id"), checkoutID); err != nil {
		return nil, err
	}
	var out ElectronicBillingDocument
	if _, err := c.postJSON(ctx, op, checkoutID,
		"/api/checkouts/"+esc(checkoutID)+"/electronic-billing-documents", d, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &Error{Code: CodeDecode, Op: op, Object: checkoutID, Msg: i18n.M("mv.no_id_created")}
	}
	return &out, nil
}

// UploadDocumentFile uploads a document's PDF
// (POST /api/electronic-billing-documents/{id}/upload, multipart field
// "file"). A file over MaxPDFSize is refused with MV-PDF-TOO-LARGE before
// anything is sent.
func (c *Client) UploadDocumentFile(ctx context.Context, documentID, filename string, pdf []byte) error {
	const op = "upload document file"
	if err := need(op, i18n.M("mv.what.document_id"), documentID); err != nil {
		return err
	}
	if len(pdf) > MaxPDFSize {
		return &Error{Code: CodePDFTooLarge, Op: op, Object: documentID,
			Msg: i18n.M("mv.pdf_too_large", len(pdf), MaxPDFSize)}
	}
	if len(pdf) == 0 {
		return &Error{Code: CodeBadRequest, Op: op, Object: documentID, Msg: i18n.M("mv.pdf_empty")}
	}
	if filename == "" {
		filename = documentID + ".pdf"
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteEscaper.Replace(filename)))
	h.Set("Content-Type", "application/pdf")
	w, err := mw.CreatePart(h)
	if err == nil {
		_, err = w.Write(pdf)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return &Error{Code: CodeBadRequest, Op: op, Object: documentID, Msg: i18n.M("mv.building_upload"), Err: err}
	}
	_, err = c.do(ctx, request{op: op, object: documentID, method: http.MethodPost,
		path: "/api/electronic-billing-documents/" + esc(documentID) + "/upload",
		body: buf.Bytes(), contentType: mw.FormDataContentType(), auth: true})
	return err
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// BillingDocuments reads back every document attached to a checkout
// (GET /api/checkouts/{id}/electronic-billing-documents/p/{page}).
func (c *Client) BillingDocuments(ctx context.Context, checkoutID string) ([]ElectronicBillingDocument, error) {
	const op = "read checkout documents"
	if err := need(op, i18n.M("mv.what.checkout_id"), checkoutID); err != nil {
		return nil, err
	}
	return pages[ElectronicBillingDocument](ctx, c, op, checkoutID,
		"/api/checkouts/"+esc(checkoutID)+"/electronic-billing-documents/p/{page}", nil)
}

// pathPage fills "{page}" in a path.
func pathPage(path string, page int) string {
	return strings.Replace(path, "{page}", fmt.Sprint(page), 1)
}

// nextPage returns the page after cur, or 0 at the end; a server that
// repeats itself cannot loop the client.
func nextPage(p Pagination, cur int) int {
	if p.NextPage <= cur {
		return 0
	}
	return p.NextPage
}
