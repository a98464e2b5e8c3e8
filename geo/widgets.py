"""Widgets as data: which Streamlit element draws one, with what label, key and arguments (no Streamlit here).

Tables of widgets (the sidebar's filters, :mod:`geo.sidebar`; the map's slice controls,
:mod:`geo.map_session`; the Data page's upload options, :mod:`geo.data_session`) and what a
download click shows (:func:`geo.web.exports.hand_over`) are drawn by the pages with :func:`draw`,
which calls the element by name on the container it is given: ``draw(st.sidebar, widgets)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Widget:
    """One widget: the Streamlit element that draws it (``kind``: ``radio``, ``multiselect``…), its label
    (or body), its key (None for an element that is no widget: a link, an alert) and other arguments."""

    kind: str
    label: str
    key: str | None = None
    options: dict[str, object] = field(default_factory=dict)

    @property
    def kwargs(self) -> dict[str, object]:
        """The element's keyword arguments: the key (when it has one) and the options."""
        return self.options if self.key is None else {"key": self.key, **self.options}


def draw(box: object, widgets: Iterable[Widget]) -> list[object]:
    """Draw ``widgets`` into ``box`` (``st``, ``st.sidebar``, a column…); returns each widget's value.

    Only ``box``'s public element methods are called (``box.radio(…)``): nothing here imports Streamlit.
    """
    return [getattr(box, w.kind)(w.label, **w.kwargs) for w in widgets]
