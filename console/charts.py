"""Bar charts drawn on the server as inline SVG: no script, no external asset."""

from html import escape

from markupsafe import Markup

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 560, 22, 6, 140


def bars(labels: list[str], values: list[float], unit: str = "", top: float | None = None):
    """A horizontal bar chart; ``top`` is the value of a full bar (the largest by default)."""
    top = top or max(values, default=0) or 1
    height = len(values) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = GAP + n * (BAR_HEIGHT + GAP)
        length = (WIDTH - LABEL_WIDTH - 80) * (value / top)
        shown = f"{value:.0%}" if unit == "%" else f"{value:g}{unit}"
        rows.append(
            f'<text x="0" y="{y + 15}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}">{escape(shown)}</text>'
        )
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )
