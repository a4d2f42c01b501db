"""Serving beyond one process: `python -m explorer deploy nginx` (replicas behind Debian's nginx).
It reads the web page's limits (web.limits); no gradio, no torch, nothing that computes.
"""
