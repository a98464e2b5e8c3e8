"""Small Leaflet script elements for folium, and the one way data enters their scripts.

Every map layer here is a script that draws from JSON embedded with :func:`js_json` (no
``</script>`` breakout, no HTML injection: labels are set with ``textContent``) and renders
without branca's second Jinja compile of its output (:class:`ScriptElement`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from branca.element import Element, MacroElement


def js_json(data: object) -> str:
    """JSON safe to embed in a <script> block (no '</script>' breakout)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Rendered(Element):
    """Text already rendered, added to the figure as it is.

    branca wraps each element's rendered script in a new ``Element(text)``, which compiles the
    text as a Jinja template: for a layer with a large embedded payload that compile costs more
    than building the layer.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class ScriptElement(MacroElement):
    """A macro element with only a script, rendered without compiling its output again."""

    def render(self, **kwargs) -> None:
        script = self._template.module.__dict__["script"]
        self.get_root().script.add_child(_Rendered(script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


#: The end of a :class:`FetchedLayer`'s script: ``draw`` the payload fetched from the static folder,
#: or embedded in a standalone file.
FETCH_OR_EMBED = """
      {% if this.url %}
      fetch({{ this.url }}).then(function(r) { return r.json(); }).then(draw);
      {% else %}
      draw({{ this.payload }});
      {% endif %}
"""


class FetchedLayer(ScriptElement):
    """A layer whose script defines ``draw(payload)``: the payload is fetched from ``url`` (the app's
    static folder: sent once, never on a rerun) or, without a URL, embedded (a standalone file)."""

    def __init__(self, name: str, *, url: str | None, payload: Callable[[], str]) -> None:
        super().__init__()
        self._name = name
        self.url = None if url is None else js_json(url)
        self.payload = None if url else payload()
