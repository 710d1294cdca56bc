"""Tables of numbers as fixed-width text (for print) and as HTML (for notebooks)."""
import html


def cells(row: dict, spec: list) -> list:
    """Format ``row``'s values by ``spec``: [(key, format spec)]; a missing value is ""."""
    return ["" if row.get(key) is None else format(row[key], fmt) for key, fmt in spec]


def text_table(titles: list, rows: list, left: int = 1) -> str:
    """Columns as wide as their widest cell, two spaces apart: the first ``left``
    left-aligned (names), the others right-aligned (numbers)."""
    widths = [max(len(str(c)) for c in column) for column in zip(titles, *rows)]

    def line(values):
        return "  ".join(str(v).ljust(w) if i < left else str(v).rjust(w)
                        for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    return "\n".join([line(titles)] + [line(row) for row in rows])


def html_table(titles: list, rows: list, caption: str = None) -> str:
    head = "".join(f"<th>{html.escape(str(t))}</th>" for t in titles)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    top = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{top}<tr>{head}</tr>{body}</table>"
