"""Uptime and availability reports for the information center (issue 9).

Why a package of its own: the monthly bulletin (月度运行报告 / 通报) is where availability figures
become official, so the arithmetic must be exact, explainable and the same in every output
format. The package is layered so that each layer can be tested alone:

  ``periods``       "2026-10" / "2026-Q4" / "2026-10-01..2026-10-15" -> UTC instants (local time)
  ``availability``  pure interval arithmetic: poll results -> state timelines -> figures
                    (availability, outages, MTTR/MTBF, SLA verdicts); no I/O
  ``data``          loaders: inventory (sites, devices, links, parents), poll_status and interface
                    samples from the sink, maintenance windows, alarm and audit statistics
  ``report``        assembles one ``UptimeReport`` for a period and a scope
  ``render_*``      PDF (reportlab, CJK font embedded), XLSX (openpyxl), CSV
  ``delivery``      the scheduler's monthly job and e-mail delivery (SMTP)
  ``cli``           ``nms report uptime ...`` (entry point group ``nms.commands``)

The console calls ``build_report(config, period, scope, fmt) -> bytes``. The rules behind every
figure are written down in ``availability``'s docstring and in docs/reports.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nms.config import Config

__all__ = ["build_report"]


def build_report(config: Config, period: str, scope: str = "city", fmt: str = "pdf",
                 **options: Any) -> bytes:
    """Render the uptime report of ``scope`` over ``period`` as ``fmt`` (pdf, xlsx or csv).

    A thin wrapper so importing ``nms.reports`` stays cheap (reportlab and openpyxl load only
    when a report is rendered). See ``nms.reports.report.build_report`` for the options.
    """
    from nms.reports.report import build_report as _build

    return _build(config, period, scope, fmt, **options)
