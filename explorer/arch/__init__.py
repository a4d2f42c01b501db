"""What a residual network is: the registry of names, one traced forward pass read as dataflow
(blocks, shortcuts, stages), receptive fields, the depth formula and the analysis built on them.
The base of the package: it imports none of render/, models/, inspect/, demo/, web/ or tools/,
nor gradio or plotly; the registry loads torch only when it builds a model.
"""
