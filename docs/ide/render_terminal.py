#!/usr/bin/env python3
"""Renders a terminal screen, as captured by `tmux capture-pane -e -p` (text
with ANSI SGR colour sequences), into an SVG image. Python's standard library
only.

  render_terminal.py SCREEN.txt OUT.svg [--title TITLE]

Understands the SGR attributes a terminal editor uses: bold, italic,
underline, reverse, the 16 basic colours, the 256-colour palette (38;5;N and
48;5;N) and true colour (38;2;R;G;B).
"""

import argparse
import html
import re

CELL_W, CELL_H, FONT = 8.4, 17, 14
PAD, TITLE_H = 10, 26
DEFAULT_FG, DEFAULT_BG = "#d0d0d0", "#1c1c1c"
BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc",
         "#11a8cd", "#e5e5e5", "#666666", "#f14c4c", "#23d18b", "#f5f543",
         "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-ln-z]|\][^\x07]*\x07|[()][0-9A-B])")


def palette(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        r, g, b = levels[n // 36], levels[(n // 6) % 6], levels[n % 6]
        return "#%02x%02x%02x" % (r, g, b)
    grey = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (grey, grey, grey)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.italic = self.underline = self.reverse = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.italic, self.underline,
                self.reverse)

    def apply(self, params):
        codes = [int(p) if p else 0 for p in re.split("[;:]", params)] \
            if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASIC[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASIC[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASIC[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASIC[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = palette(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1


def parse(screen):
    """Rows of runs: (column, text, style key)."""
    rows = []
    style = Style()
    for line in screen.split("\n"):
        line = OTHER_ESCAPE.sub("", line)
        runs, col, pos = [], 0, 0
        for match in list(SGR.finditer(line)) + [None]:
            end = match.start() if match else len(line)
            text = line[pos:end]
            if text:
                runs.append((col, text, style.key()))
                col += len(text)
            if match:
                style.apply(match.group(1))
                pos = match.end()
        rows.append(runs)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def render(rows, title, columns):
    width = int(columns * CELL_W + 2 * PAD)
    height = int(len(rows) * CELL_H + 2 * PAD + TITLE_H)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d">' % (width, height, width, height),
           '<rect width="100%%" height="100%%" rx="6" fill="%s"/>' %
           DEFAULT_BG,
           '<rect width="100%%" height="%d" rx="6" fill="#3a3a3a"/>' % TITLE_H,
           '<text x="%d" y="17" font-family="sans-serif" font-size="13" '
           'fill="#e0e0e0">%s</text>' % (PAD, html.escape(title)),
           '<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" '
           'font-size="%d" xml:space="preserve">' % FONT]
    for r, runs in enumerate(rows):
        top = TITLE_H + PAD + r * CELL_H
        for col, text, (fg, bg, bold, italic, underline, reverse) in runs:
            fg, bg = fg or DEFAULT_FG, bg
            if reverse:
                fg, bg = bg or DEFAULT_BG, fg
            x = PAD + col * CELL_W
            if bg:
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                           'fill="%s"/>' % (x, top, len(text) * CELL_W,
                                            CELL_H, bg))
            if not text.strip():
                continue
            attrs = ['x="%.1f"' % x, 'y="%d"' % (top + CELL_H - 4),
                     'fill="%s"' % fg,
                     'textLength="%.1f"' % (len(text) * CELL_W),
                     'lengthAdjust="spacingAndGlyphs"']
            if bold:
                attrs.append('font-weight="bold"')
            if italic:
                attrs.append('font-style="italic"')
            if underline:
                attrs.append('text-decoration="underline"')
            out.append("<text %s>%s</text>" % (" ".join(attrs),
                                               html.escape(text)))
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("screen")
    parser.add_argument("output")
    parser.add_argument("--title", default="")
    parser.add_argument("--columns", type=int, default=0,
                        help="terminal width; default: the longest row")
    args = parser.parse_args()
    with open(args.screen, encoding="utf-8", errors="replace") as f:
        rows = parse(f.read())
    columns = args.columns or max(
        (runs[-1][0] + len(runs[-1][1]) for runs in rows if runs), default=80)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(render(rows, args.title, columns))


if __name__ == "__main__":
    main()
