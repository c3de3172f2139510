package audit

import (
	"fmt"
	"sort"
)

// Night is what one job wrote and rejected on one day (UTC), over the
// runs that started that day.
type Night struct {
	Job     string `json:"job"`
	Date    string `json:"date"` // YYYY-MM-DD
	Rows    int64  `json:"rows_written"`
	Rejects int64  `json:"rows_rejected"`
}

func nights(runs []RunLine) []Night {
	by := map[[2]string]*Night{}
	for _, r := range runs {
		k := [2]string{r.Job, r.StartedAt[:10]}
		n := by[k]
		if n == nil {
			n = &Night{Job: k[0], Date: k[1]}
			by[k] = n
		}
		n.Rows += r.RowsWritten
		n.Rejects += r.RowsRejected
	}
	out := []Night{}
	for _, n := range by {
		out = append(out, *n)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Job != out[b].Job {
			return out[a].Job < out[b].Job
		}
		return out[a].Date < out[b].Date
	})
	return out
}

// The chart's geometry, in SVG user units: for each job, a panel of rows
// written and a panel of rejects per night (each with its own scale,
// since rejects are a small fraction of rows), nights on a shared axis.
const (
	chartWidth  = 720
	chartLeft   = 170 // room for the job and panel labels
	panelHeight = 46
	panelGap    = 8
	jobGap      = 18
	axisHeight  = 34
)

// chart is what the report template draws.
type chart struct {
	Width, Height int
	AxisY         int // baseline of the date labels
	Panels        []panel
	Dates         []axisLabel
}

type panel struct {
	Label, Class string
	Max          int64
	Y, Base      int // top of the panel, y of its base line
	Bars         []bar
}

type bar struct {
	X, Y, W, H int
	Title      string
}

type axisLabel struct {
	X    int
	Text string
}

func newChart(ns []Night) chart {
	var dates, jobs []string
	seenD, seenJ := map[string]bool{}, map[string]bool{}
	for _, n := range ns {
		if !seenD[n.Date] {
			seenD[n.Date] = true
			dates = append(dates, n.Date)
		}
		if !seenJ[n.Job] {
			seenJ[n.Job] = true
			jobs = append(jobs, n.Job)
		}
	}
	sort.Strings(dates)
	col := map[string]int{}
	for i, d := range dates {
		col[d] = i
	}
	step := (chartWidth - chartLeft - 10) / max(len(dates), 1)
	barW := max(min(step-4, 48), 2)
	c := chart{Width: chartWidth}
	y := 6
	for _, job := range jobs {
		for _, kind := range []string{"rows", "rejects"} {
			p := panel{Label: job + " " + kind, Class: kind, Y: y, Base: y + panelHeight}
			for _, n := range ns {
				if n.Job == job {
					p.Max = max(p.Max, value(n, kind))
				}
			}
			for _, n := range ns {
				if n.Job != job {
					continue
				}
				v := value(n, kind)
				h := 0
				if p.Max > 0 {
					h = int(v * panelHeight / p.Max)
				}
				if v > 0 && h < 1 {
					h = 1
				}
				x := chartLeft + col[n.Date]*step + (step-barW)/2
				p.Bars = append(p.Bars, bar{X: x, Y: p.Base - h, W: barW, H: h, Title: fmt.Sprintf("%s %s: %d %s", job, n.Date, v, kind)})
			}
			c.Panels = append(c.Panels, p)
			y += panelHeight + panelGap
		}
		y += jobGap - panelGap
	}
	every := max(1, 48/max(step, 1)+1) // a label each ~48 units, so that they never overlap
	for i, d := range dates {
		if i%every == 0 {
			c.Dates = append(c.Dates, axisLabel{X: chartLeft + i*step + step/2, Text: d[5:]})
		}
	}
	c.AxisY = y + 14
	c.Height = y + axisHeight
	return c
}

func value(n Night, kind string) int64 {
	if kind == "rows" {
		return n.Rows
	}
	return n.Rejects
}
