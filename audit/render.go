package audit

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
)

//go:embed templates assets
var files embed.FS

// style is the one stylesheet, inlined in the report and served by the
// explorer.
var style = func() template.CSS {
	b, err := files.ReadFile("assets/style.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

var reportTmpl = template.Must(template.New("report.html").Funcs(funcs).ParseFS(files, "templates/report.html"))

var funcs = template.FuncMap{
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
}

// WriteHTML writes the report as one self-contained HTML page: inline
// CSS (with print rules), an inline SVG chart, no script, no external
// asset.
func (r *Report) WriteHTML(w io.Writer) error {
	data := struct {
		*Report
		Style        template.CSS
		Chart        chart
		Unreconciled int
	}{r, style, newChart(r.Nights), r.Unreconciled()}
	if err := reportTmpl.Execute(w, data); err != nil {
		return fmt.Errorf("audit: html report: %w", err)
	}
	return nil
}

// WriteJSON writes the report as indented JSON (docs/audit.md).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("audit: json report: %w", err)
	}
	return nil
}
