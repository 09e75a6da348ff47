package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// chartGroup is one query's bars: events per CPU-second, 0 = no bar.
type chartGroup struct {
	Label                      string
	Compiled, Baseline, Kuiper float64
}

var chartSeries = []struct {
	name, color string
	value       func(chartGroup) float64
}{
	{"Laminar compiled (GOMAXPROCS=1)", "#2b6cb0", func(g chartGroup) float64 { return g.Compiled }},
	{"hand-written Go baseline", "#9c9c9c", func(g chartGroup) float64 { return g.Baseline }},
	{"eKuiper (fewer events)", "#dd6b20", func(g chartGroup) float64 { return g.Kuiper }},
}

// chartGroups collects the bars of a report, one group per measured query,
// then the eKuiper rules that have no compiled counterpart.
func chartGroups(rep report) []chartGroup {
	var groups []chartGroup
	index := map[string]int{}
	for _, r := range rep.Results {
		if r.Unsupported != "" || r.Err != "" {
			continue
		}
		g := chartGroup{Label: r.Name, Compiled: r.Single.perCPU(rep.Events)}
		if r.Baseline != "" && r.BaseErr == "" {
			g.Baseline = r.Base.perCPU(rep.Events)
			if r.BaselineWhole {
				g.Label += " (base " + r.Baseline + ")"
			}
		}
		index[r.Name] = len(groups)
		groups = append(groups, g)
	}
	if e := rep.EKuiper; e != nil && e.Err == "" {
		for _, r := range e.Rules {
			if r.Err != "" {
				continue
			}
			v := r.Usage.perCPU(e.Events)
			if i, ok := index[r.Name]; ok {
				groups[i].Kuiper = v
				continue
			}
			groups = append(groups, chartGroup{Label: r.Name, Kuiper: v})
		}
	}
	return groups
}

// renderSVG draws a grouped bar chart of events per CPU-second on a log
// scale (the engines differ by orders of magnitude), as plain SVG.
func renderSVG(rep report) []byte {
	groups := chartGroups(rep)
	const (
		left, right, top, bottom = 70, 20, 50, 120
		barW, gap                = 18, 22
		plotH                    = 320
	)
	groupW := barW*len(chartSeries) + gap
	width := left + right + max(1, len(groups))*groupW
	height := top + plotH + bottom
	lo, hi := 4.0, 8.0 // 10K .. 100M events per CPU-second
	for _, g := range groups {
		for _, s := range chartSeries {
			if v := s.value(g); v > 0 {
				lo = math.Min(lo, math.Floor(math.Log10(v)))
				hi = math.Max(hi, math.Ceil(math.Log10(v)))
			}
		}
	}
	y := func(v float64) float64 {
		return top + plotH - (math.Log10(v)-lo)/(hi-lo)*plotH
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14" font-weight="bold">Nexmark: events per CPU-second (log scale), %s</text>`+"\n",
		left, html.EscapeString(rep.Date.Format("2006-01-02")))
	for i, s := range chartSeries {
		x := left + i*230
		fmt.Fprintf(&b, `<rect x="%d" y="28" width="12" height="12" fill="%s"/><text x="%d" y="38">%s</text>`+"\n", x, s.color, x+16, html.EscapeString(s.name))
	}
	for p := lo; p <= hi; p++ {
		yy := y(math.Pow(10, p))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, yy, width-right, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, yy+4, count(int64(math.Pow(10, p))))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", left, top+plotH, width-right, top+plotH)
	for gi, g := range groups {
		x0 := left + gi*groupW + gap/2
		for si, s := range chartSeries {
			v := s.value(g)
			if v <= 0 {
				continue
			}
			x := x0 + si*barW
			yy := y(v)
			fmt.Fprintf(&b, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %s events per CPU-second</title></rect>`+"\n",
				x, yy, barW-2, float64(top+plotH)-yy, s.color, html.EscapeString(g.Label), html.EscapeString(s.name), count(int64(v)))
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="9" text-anchor="start" transform="rotate(-90 %d %.1f)">%s</text>`+"\n",
				x+barW/2+3, yy-3, x+barW/2+3, yy-3, count(int64(v)))
		}
		cx := x0 + barW*len(chartSeries)/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" transform="rotate(-40 %d %d)">%s</text>`+"\n",
			cx, top+plotH+14, cx, top+plotH+14, html.EscapeString(g.Label))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}
