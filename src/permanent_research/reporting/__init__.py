"""Reporting layer: papermill runner, rendering, index, manifest, headline numbers."""
