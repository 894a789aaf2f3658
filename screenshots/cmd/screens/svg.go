package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// cell style read from SGR sequences.
type style struct {
	fg, bg                           string
	bold, italic, underline, reverse bool
}

const (
	defaultFG = "#E8E8E8"
	defaultBG = "#14161B"
	fontSize  = 14.0
	cellW     = fontSize * 0.602 // DejaVu Sans Mono advance
	cellH     = 18.0
	pad       = 16.0
)

var basic = []string{"#1B1B1B", "#FF6B6B", "#78BE20", "#FFB81C", "#41B6E6", "#C678DD", "#56B6C2", "#E8E8E8",
	"#5C5C5C", "#FF8A8A", "#A0E060", "#FFD060", "#7FD0F0", "#E0A0F0", "#80E0E0", "#FFFFFF"}

// toSVG draws ANSI text (SGR colours and attributes; other sequences are skipped) as an SVG
// terminal of w × h cells.
func toSVG(frame string, w, h int) string {
	var b strings.Builder
	width, height := pad*2+cellW*float64(w), pad*2+cellH*float64(h)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" rx="8" fill="%s"/>`+"\n", defaultBG)
	fmt.Fprintf(&b, `<g font-family="DejaVu Sans Mono, monospace" font-size="%.0f" xml:space="preserve">`+"\n", fontSize)
	lines := strings.Split(frame, "\n")
	var st style
	for row, line := range lines {
		if row >= h {
			break
		}
		col := 0
		var run strings.Builder
		runStart, runStyle := 0, st
		flush := func() {
			if run.Len() == 0 {
				return
			}
			drawRun(&b, run.String(), runStart, row, runStyle)
			run.Reset()
		}
		for i := 0; i < len(line); {
			if line[i] == 0x1b {
				seq, n := readEscape(line[i:])
				i += n
				if strings.HasSuffix(seq, "m") && strings.HasPrefix(seq, "\x1b[") {
					flush()
					st = applySGR(st, seq[2:len(seq)-1])
					runStart, runStyle = col, st
				}
				continue
			}
			r, size := decodeRune(line[i:])
			i += size
			cw := ansi.StringWidth(string(r))
			if run.Len() == 0 {
				runStart, runStyle = col, st
			}
			run.WriteRune(r)
			col += cw
		}
		flush()
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String()
}

func drawRun(b *strings.Builder, text string, col, row int, st style) {
	fg, bg := st.fg, st.bg
	if fg == "" {
		fg = defaultFG
	}
	if st.reverse {
		fg, bg = bgOr(bg), fg
	}
	x, y := pad+cellW*float64(col), pad+cellH*float64(row)
	n := ansi.StringWidth(text)
	if bg != "" {
		fmt.Fprintf(b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>`+"\n", x, y, cellW*float64(n), cellH, bg)
	}
	if strings.TrimSpace(text) == "" {
		return
	}
	attrs := ""
	if st.bold {
		attrs += ` font-weight="bold"`
	}
	if st.italic {
		attrs += ` font-style="italic"`
	}
	if st.underline {
		attrs += ` text-decoration="underline"`
	}
	fmt.Fprintf(b, `<text x="%.2f" y="%.2f" fill="%s" textLength="%.2f" lengthAdjust="spacingAndGlyphs"%s>%s</text>`+"\n",
		x, y+cellH*0.78, fg, cellW*float64(n), attrs, escapeXML(text))
}

func bgOr(bg string) string {
	if bg == "" {
		return defaultBG
	}
	return bg
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// readEscape returns the escape sequence at the start of s and its length.
func readEscape(s string) (string, int) {
	if len(s) < 2 {
		return s, len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters then a final byte 0x40–0x7E
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return s[:i+1], i + 1
			}
		}
	case ']': // OSC: until BEL or ST
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return s[:i+1], i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return s[:i+2], i + 2
			}
		}
	}
	return s[:2], 2
}

func decodeRune(s string) (rune, int) {
	for i, r := range s {
		if i == 0 {
			n := len(string(r))
			return r, n
		}
	}
	return 0, 1
}

func applySGR(st style, params string) style {
	if params == "" {
		return style{}
	}
	ps := strings.Split(params, ";")
	for i := 0; i < len(ps); i++ {
		n, _ := strconv.Atoi(ps[i])
		switch {
		case n == 0:
			st = style{}
		case n == 1:
			st.bold = true
		case n == 3:
			st.italic = true
		case n == 4:
			st.underline = true
		case n == 7:
			st.reverse = true
		case n == 22:
			st.bold = false
		case n == 23:
			st.italic = false
		case n == 24:
			st.underline = false
		case n == 27:
			st.reverse = false
		case n >= 30 && n <= 37:
			st.fg = basic[n-30]
		case n >= 90 && n <= 97:
			st.fg = basic[n-90+8]
		case n >= 40 && n <= 47:
			st.bg = basic[n-40]
		case n >= 100 && n <= 107:
			st.bg = basic[n-100+8]
		case n == 39:
			st.fg = ""
		case n == 49:
			st.bg = ""
		case n == 38 || n == 48:
			col := ""
			if i+4 < len(ps) && ps[i+1] == "2" {
				r, _ := strconv.Atoi(ps[i+2])
				g, _ := strconv.Atoi(ps[i+3])
				bl, _ := strconv.Atoi(ps[i+4])
				col = fmt.Sprintf("#%02X%02X%02X", r, g, bl)
				i += 4
			} else if i+2 < len(ps) && ps[i+1] == "5" {
				c, _ := strconv.Atoi(ps[i+2])
				if c < 16 {
					col = basic[c]
				} else {
					col = xterm256(c)
				}
				i += 2
			}
			if n == 38 {
				st.fg = col
			} else {
				st.bg = col
			}
		}
	}
	return st
}

func xterm256(c int) string {
	if c >= 232 {
		v := 8 + (c-232)*10
		return fmt.Sprintf("#%02X%02X%02X", v, v, v)
	}
	c -= 16
	lv := []int{0, 95, 135, 175, 215, 255}
	return fmt.Sprintf("#%02X%02X%02X", lv[c/36], lv[c/6%6], lv[c%6])
}
