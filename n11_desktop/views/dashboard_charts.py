"""The Dashboard's three history charts (pyqtgraph). Imported only when the Dashboard is first shown:
pyqtgraph and numpy add about 40 MB to a window that may never open this tab. The texts come
translated from the Dashboard tab."""

from __future__ import annotations

import os
import re
from datetime import timezone

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QLocale  # noqa: E402
from PySide6.QtWidgets import QGridLayout, QWidget  # noqa: E402

from ..core.formats import language  # noqa: E402
from ..core.metrics import Series  # noqa: E402
from ..core.overview import HISTORY_KPIS, DashboardData  # noqa: E402

COLORS = ("#1f77b4", "#2ca02c", "#d62728", "#ff7f0e", "#9467bd")


def _set_series(item: pg.PlotDataItem, series: Series) -> None:
    """Update a curve in place; a handful of points also get markers so a single point is visible."""
    few = len(series.x) < 60
    color = item.opts["pen"].color() if hasattr(item.opts.get("pen"), "color") else None
    item.setData(list(series.x), list(series.y), symbol="o" if few else None, symbolSize=6,
                 symbolPen=None, symbolBrush=color)




class LocalDateAxis(pg.DateAxisItem):
    """pyqtgraph's date axis with day and month names in the operator's language ("Cum 04", not
    "Fri 04"): its labels come from strftime in the C locale; the names are swapped for QLocale's."""

    _EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    _EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._names: dict[str, str] = {}
        if language() != "en":
            loc = QLocale()
            short = QLocale.FormatType.ShortFormat
            self._names = {en: loc.dayName(i + 1, short) for i, en in enumerate(self._EN_DAYS)}
            self._names.update({en: loc.monthName(i + 1, short) for i, en in enumerate(self._EN_MONTHS)})
            self._pattern = re.compile(r"\b(" + "|".join(self._names) + r")\b")

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        labels = super().tickStrings(values, scale, spacing)
        if not self._names:
            return labels
        return [self._pattern.sub(lambda m: self._names[m.group(1)], str(t)) for t in labels]


def _plot(title: str) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems={"bottom": LocalDateAxis(utcOffset=0)})
    w.setBackground("w")
    w.setTitle(title, color="#333", size="10pt")
    w.showGrid(x=True, y=True, alpha=0.2)
    w.setMenuEnabled(False)
    w.addLegend(offset=(10, 5))
    w.setMinimumHeight(190)
    pi = w.getPlotItem()
    pi.setClipToView(True)
    pi.setDownsampling(auto=True, mode="peak")
    return w


class DashboardCharts(QWidget):
    """KPI history, flow runs per hour, send queue and penalty box; one PlotDataItem per series,
    updated with setData (never cleared and re-plotted)."""

    def __init__(self, titles: tuple[str, str, str], kpi_names: dict[str, str], names: tuple[str, str, str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        charts = QGridLayout(self)
        charts.setContentsMargins(0, 0, 0, 0)
        self.kpi_plot, self.runs_plot, self.depth_plot = (_plot(t) for t in titles)
        charts.addWidget(self.kpi_plot, 0, 0, 1, 2)
        charts.addWidget(self.runs_plot, 1, 0)
        charts.addWidget(self.depth_plot, 1, 1)
        succeeded, failed, waiting, penalized = names
        self._kpi_items = {n: self.kpi_plot.plot([], [], name=kpi_names[n], pen=pg.mkPen(COLORS[i], width=1))
                           for i, n in enumerate(HISTORY_KPIS)}
        self._ok_item = self.runs_plot.plot([], [], name=succeeded, pen=pg.mkPen("#2ca02c", width=1), stepMode=None)
        self._fail_item = self.runs_plot.plot([], [], name=failed, pen=pg.mkPen("#d62728", width=1))
        self._queue_item = self.depth_plot.plot([], [], name=waiting, pen=pg.mkPen("#1f77b4", width=1))
        self._penalty_item = self.depth_plot.plot([], [], name=penalized, pen=pg.mkPen("#ff7f0e", width=1))

    def show_data(self, data: DashboardData, days: int) -> None:
        for s in data.history:
            _set_series(self._kpi_items[s.name], s)
        _set_series(self._ok_item, data.runs_ok)
        _set_series(self._fail_item, data.runs_failed)
        q, p = data.depth
        _set_series(self._queue_item, q)
        _set_series(self._penalty_item, p)
        end = data.loaded_at.replace(tzinfo=timezone.utc).timestamp()
        start = end - days * 86400
        for plot, series in ((self.kpi_plot, data.history), (self.runs_plot, (data.runs_ok, data.runs_failed)),
                             (self.depth_plot, data.depth)):
            plot.setXRange(start, end, padding=0.01)
            top = max((max(s.y) for s in series if s.y), default=0)
            plot.setYRange(0, max(1.0, top * 1.1), padding=0)
