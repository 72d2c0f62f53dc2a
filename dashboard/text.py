"""Landing data shown as text, never as markup.

Customer, manager and industry names, override reasons and customer ids come from files that other
systems produce. Streamlit reads the text given to st.markdown, st.caption, st.title, st.subheader,
the alerts (st.info, st.success, st.warning), and to metric, tab, expander and page-link labels and
tooltips as Markdown: GitHub-flavoured, with LaTeX (`$x$`), emoji shortcodes (`:x:`), coloured text
(`:red[...]`) and icons (`:material/...:`). Plotly reads chart text (axis labels, legend, hover) as
a subset of HTML. A customer named `![p](http://host/p.png)` would make every viewer's browser fetch
that address, and one named `[Pay here](http://…)` would become a link. So every data value goes
through `markdown_text` before it joins such a text, or through `chart_text` before it joins a
chart. Tables (st.dataframe) and the options of a selectbox or multiselect show plain text: their
values need neither.

    st.caption(f"How {markdown_text(customer_name)} earns its score")
    go.Bar(y=[chart_text(name) for name in managers["manager_name"]], ...)
"""

from __future__ import annotations

import html
import re

# CommonMark lets any ASCII punctuation character be escaped with a backslash, and an escaped
# character starts no Markdown at all: no emphasis, link, image, code, heading, list, table, HTML,
# LaTeX or directive. Escaping every one of them needs no list of which characters are special.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit turns `:name:` into an emoji, `:material/name:` into an icon, `http://…`, `www.…` and
# `name@host.tld` into links, and ` -> `, ` <- `, ` -- `, ` >= `, ` <= `, ` ~= ` into arrows and
# signs by searching the text after the escapes are resolved, so a backslash does not stop them. An
# invisible word joiner after each colon and at sign, between `www` and its dot, and after a
# `-`, `<`, `>` or `~` that starts a word breaks those patterns without changing what the reader sees.
WORD_JOINER = "\u2060"
_TEXT_REPLACED_BY_STREAMLIT = re.compile(r"\\[:@]|www(?=\\\.)|(?<!\S)\\[-<>~]", re.IGNORECASE)


def markdown_text(value: object) -> str:
    """`value` as literal text inside Streamlit Markdown: '[Pay here](x.html)' ->
    '\\[Pay here\\]\\(x\\.html\\)', which shows as the brackets and words it holds.

    The value is put on one line (a browser shows runs of spaces as one anyway): a line break in
    it could otherwise start a heading, a list or a code block."""
    one_line = " ".join(str(value).split())
    escaped = _ASCII_PUNCTUATION.sub(r"\\\1", one_line)
    return _TEXT_REPLACED_BY_STREAMLIT.sub(lambda match: match.group(0) + WORD_JOINER, escaped)


def chart_text(value: object) -> str:
    """`value` as literal text in a Plotly chart: '<a href="x">Pay</a>' -> '&lt;a href="x"&gt;Pay&lt;/a&gt;'.
    Plotly draws tags such as <a href>, <b> and <br> in titles, ticks, legends and hover labels,
    and shows &lt; &gt; &amp; as the characters they stand for. Quotes need no escape outside a tag."""
    return html.escape(str(value), quote=False)
