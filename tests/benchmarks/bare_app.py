"""The yardstick: a bare Flask app whose /bare/<size> renders a Jinja template of about `size`
bytes (rows of a table, as our list pages are). Every page is timed against it on the same
machine at the same moment, so the ratio says what our code costs beyond Flask itself."""

from __future__ import annotations

from flask import Flask, render_template_string

ROW = ("<tr><td><a href=\"/people/{{ i }}\">Person {{ i }}</a></td><td>Organization {{ i % 40 }}"
       "</td><td>{{ 'ally' if i % 2 else 'neutral' }}</td></tr>\n")
TEMPLATE = ("<!doctype html><html lang=\"en\"><head><title>Bare</title></head><body><main>"
            "<h1>{{ title }}</h1><table>{% for i in rows %}" + ROW + "{% endfor %}</table>"
            "</main></body></html>")
ROW_BYTES = 92  # about what one rendered ROW weighs

app = Flask(__name__)


@app.route("/bare/<int:size>")
def bare(size: int):
    """A page of about `size` bytes (at most 8 MB), rendered from a template."""
    rows = range(max(min(size, 8_000_000) // ROW_BYTES, 1))
    return render_template_string(TEMPLATE, title="Bare page", rows=rows)
