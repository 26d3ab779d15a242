"""Security-baseline audit runs, scores, MLPS roll-up, reports (JSON/SARIF/XLSX/PDF) and CLI."""
