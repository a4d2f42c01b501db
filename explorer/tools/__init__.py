"""Developer tools: benchmarks (`python -m explorer.tools.bench`), the classroom load test
(`python -m explorer.tools.loadtest`), the installed package's smoke test
(`python -m explorer.tools.smoke`) and the launcher they share. They may use every package;
no package imports them.
"""
